/**
 * A case's whole story for the office, in Catalan with Spanish: its steps, reminders, registry
 * consultations, payment orders and running deadlines, in time order, from the projection.
 */
import { AppError } from '../domain/errors';
import type { PrismaClient } from '../generated/prisma/client';

/** Step names on the timeline, in Catalan with Spanish. */
const STEP_NAMES: Record<string, string> = {
  submitted: 'Sol·licitud presentada / Solicitud presentada',
  registered: 'Registrada / Registrada',
  acknowledged: 'Justificant de recepció / Acuse de recibo',
  document_request: 'Requeriment d’esmena / Requerimiento de subsanación',
  documents_delivered: 'Documents aportats / Documentos aportados',
  late_documents_accepted: 'Documents fora de termini acceptats / Documentos fuera de plazo aceptados',
  assessment: 'En valoració / En valoración',
  assessment_report: 'Informe tècnic o social / Informe técnico o social',
  proposed: 'Proposta de resolució / Propuesta de resolución',
  proposal_sent_back: 'Proposta retornada / Propuesta devuelta',
  resolution_approved: 'Resolució aprovada / Resolución aprobada',
  resolved: 'Resolució notificada / Resolución notificada',
  notification_accepted: 'Notificació oberta / Notificación abierta',
  notification_rejected: 'Notificació rebutjada / Notificación rechazada',
  notification_deemed_rejected: 'Notificació no oberta en 10 dies / Notificación no abierta en 10 días',
  appeal_filed: 'Recurs presentat / Recurso presentado',
  appeal_dismissed_by_silence: 'Recurs desestimat per silenci / Recurso desestimado por silencio',
  withdrawal_proposed: 'Proposta de desistiment / Propuesta de desistimiento',
  withdrawn: 'Desistiment o renúncia / Desistimiento o renuncia',
  reassigned: 'Reassignat / Reasignado',
  task_overdue: 'Tasca fora de termini / Tarea fuera de plazo',
  registries_unavailable: 'Registres no disponibles / Registros no disponibles',
  justification_due: 'Justificació pendent / Justificación pendiente',
  justification_missing: 'Justificació no presentada / Justificación no presentada',
  repayment_opened: 'Reintegrament obert / Reintegro abierto',
  repayment_received: 'Reintegrament rebut / Reintegro recibido',
  payment_retry_requested: 'Reintent de pagament / Reintento de pago',
  change_of_circumstances: 'Canvi de circumstàncies / Cambio de circunstancias',
  revoked: 'Revocat / Revocado',
  renewal_review: 'Revisió de renovació / Revisión de renovación',
  renewed: 'Renovat / Renovado',
  closed: 'Tancat / Cerrado',
  max_time_alert: 'Avís: s’acaba el termini per resoldre / Aviso: se acaba el plazo para resolver',
  silence: 'Silenci administratiu aplicat / Silencio administrativo aplicado',
  reminder_sent: 'Recordatori enviat / Recordatorio enviado',
  reminder_no_contact: 'Recordatori sense contacte / Recordatorio sin contacto',
  notification_alert_sent: 'Avís de notificació enviat / Aviso de notificación enviado',
  workflow_repaired: 'Expedient reparat / Expediente reparado',
};

const DEADLINE_NAMES: Record<string, string> = {
  acknowledgement: 'justificant / acuse',
  max_time_to_resolve: 'termini màxim per resoldre / plazo máximo para resolver',
  document_request: 'esmena / subsanación',
  task_sla: 'tasca / tarea',
  notification_acceptance: 'obrir la notificació / abrir la notificación',
  appeal_filing: 'presentar recurs / presentar recurso',
  appeal_resolution: 'resoldre el recurs / resolver el recurso',
  justification: 'justificació / justificación',
  repayment: 'reintegrament / reintegro',
  renewal: 'renovació / renovación',
};

const CONSULTATION_STATES: Record<string, string> = {
  requested: 'demanada / solicitada',
  pending: 'pendent de resposta / pendiente de respuesta',
  obtained: 'obtinguda / obtenida',
  not_found: 'sense dades / sin datos',
  no_consent: 'sense consentiment / sin consentimiento',
  invalid_document: 'document no vàlid / documento no válido',
  refused: 'refusada / rechazada',
};

export interface TimelineEntry {
  at: string;
  kind: 'step' | 'reminder' | 'consultation' | 'payment' | 'deadline' | 'notice';
  text: string;
  actor: string | null;
}

export async function caseTimeline(
  prisma: PrismaClient,
  applicationId: string,
): Promise<{ applicationId: string; entries: TimelineEntry[] }> {
  const app = await prisma.application.findUnique({
    where: { id: applicationId },
    include: {
      events: { orderBy: [{ occurredAt: 'asc' }, { id: 'asc' }] },
      consultations: { orderBy: { requestedAt: 'asc' } },
      paymentOrders: { orderBy: { dueDate: 'asc' } },
      deadlines: { orderBy: { dueDate: 'asc' } },
    },
  });
  if (!app) throw AppError.notFound('No such application');
  const entries: TimelineEntry[] = [
    ...app.events.map((e): TimelineEntry => {
      const detail = (e.detail ?? {}) as {
        note?: string;
        deadline?: string;
        dueDate?: string;
        audience?: string;
      };
      const reminder = e.type.startsWith('reminder_') || e.type === 'notification_alert_sent';
      return {
        at: e.occurredAt.toISOString(),
        kind: reminder ? 'reminder' : 'step',
        text: [
          STEP_NAMES[e.type] ?? e.type,
          reminder && detail.deadline
            ? `${detail.deadline} ${detail.dueDate ?? ''} → ${detail.audience ?? ''}`
            : undefined,
          detail.note,
        ]
          .filter(Boolean)
          .join(' — '),
        actor: e.actor,
      };
    }),
    ...app.consultations.map((c): TimelineEntry => ({
      at: c.requestedAt.toISOString(),
      kind: 'consultation',
      text: `Consulta / Consulta ${c.service}: ${CONSULTATION_STATES[c.status] ?? c.status}${c.attempts > 1 ? ` (${c.attempts} intents / intentos)` : ''}`,
      actor: c.requestedBy,
    })),
    ...app.paymentOrders.map((p): TimelineEntry => ({
      at: p.createdAt.toISOString(),
      kind: 'payment',
      text: `Ordre de pagament / Orden de pago ${p.instalment}: ${p.amount.toFixed(2)} € (${p.dueDate.toISOString().slice(0, 10)})`,
      actor: null,
    })),
    ...app.deadlines.map((d): TimelineEntry => ({
      at: d.dueDate.toISOString(),
      kind: 'deadline',
      text: `Termini / Plazo: ${DEADLINE_NAMES[d.kind] ?? d.kind}, ${d.dueDate.toISOString().slice(0, 10)}${d.pausedSince ? ' (aturat / suspendido)' : ''} — ${d.legalBasis.join('; ')}`,
      actor: null,
    })),
  ].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return { applicationId: app.id, entries };
}
