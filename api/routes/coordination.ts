import { Router } from 'express';
import type { Client } from '@temporalio/client';
import {
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import { municipalityOfApplication, worksFor } from '../../domain/access';
import { decodeApplicationCursor, encodeApplicationCursor } from '../cursors';
import type { StaffMember } from '../../domain/access';
import type { PrismaClient } from '../../generated/prisma/client';
import type { Coordination, DeadlineCursor } from '../../infra/coordination';
import { applyRepair, planRepair } from '../../infra/repair';
import type { HistoryReplayer } from '../../infra/repair';
import { reassignUpdate } from '../../workflows/messages';
import { noteAudit } from '../audit';
import { authorize, authorizeCase } from '../auth';
import { findApplicationFailure, HttpError } from '../errors';
import {
  applicationParamsRequest,
  bulkReassignRequest,
  officeDeadlinesRequest,
  repairRequest,
  stuckRequest,
} from '../schemas';
import { parseRequest } from '../validate';

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

export interface CoordinationRouterDeps {
  prisma: PrismaClient;
  temporal: Client;
  coordination: Coordination;
  /** Replays histories with the workers' code, to find where a held case can be reset to. */
  replay: HistoryReplayer;
  /** How long a bulk reassignment waits, all cases together, for the cases to take it (as a case action). */
  caseActionTimeoutSeconds?: number | undefined;
}

/** A cursor from a previous page of deadlines; anything else is a 400, never a 500. */
function decodeDeadlineCursor(cursor: string): DeadlineCursor {
  try {
    const c = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<DeadlineCursor>;
    if (
      typeof c.dueDate === 'string' &&
      /^\d{4}-\d{2}-\d{2}$/.test(c.dueDate) &&
      typeof c.applicationId === 'string' &&
      typeof c.kind === 'string'
    )
      return { dueDate: c.dueDate, applicationId: c.applicationId, kind: c.kind };
  } catch {
    // fall through
  }
  throw HttpError.badRequest([
    { field: 'query.cursor', message: 'must be a cursor returned by a previous page' },
  ]);
}

function scope(staff: StaffMember, municipality?: string): readonly string[] {
  if (municipality && !worksFor(staff, municipality)) {
    throw HttpError.forbidden(`You do not work for municipality ${municipality}`);
  }
  return municipality ? [municipality] : staff.municipalities;
}

/** The coordinators' views (stuck cases, the office's deadlines, workload, a case's timeline) and bulk actions. */
export function createCoordinationRouter({
  prisma,
  temporal,
  coordination,
  replay,
  caseActionTimeoutSeconds = 30,
}: CoordinationRouterDeps): Router {
  const router = Router();

  router.get('/stuck', async (req, res) => {
    const { query } = parseRequest(stuckRequest, req);
    noteAudit(res, 'oversee_stuck');
    const staff = authorize(req, 'oversee');
    const page = await coordination.stuckPage(scope(staff, query.municipality), {
      limit: query.limit,
      after: query.cursor ? decodeApplicationCursor(query.cursor) : undefined,
      reason: query.reason,
      benefit: query.benefit,
      assignee: query.assignee,
      minDays: query.minDays,
    });
    const countsByReason: Record<string, number> = {};
    for (const c of page.items)
      for (const f of c.findings) countsByReason[f.reason] = (countsByReason[f.reason] ?? 0) + 1;
    res.json({
      items: page.items,
      countsByReason,
      nextCursor: page.next ? encodeApplicationCursor(page.next) : null,
      scanned: page.scanned,
    });
  });

  router.get('/deadlines', async (req, res) => {
    const { query } = parseRequest(officeDeadlinesRequest, req);
    noteAudit(res, 'oversee_deadlines');
    const staff = authorize(req, 'oversee');
    const page = await coordination.deadlines(scope(staff, query.municipality), {
      bucket: query.bucket,
      kind: query.kind,
      limit: query.limit,
      after: query.cursor ? decodeDeadlineCursor(query.cursor) : undefined,
    });
    res.json({
      items: page.items,
      counts: page.counts,
      nextCursor: page.next ? Buffer.from(JSON.stringify(page.next)).toString('base64url') : null,
    });
  });

  /** The staff of your municipalities, for assigning cases. */
  router.get('/staff', async (req, res) => {
    noteAudit(res, 'oversee_staff');
    const staff = authorize(req, 'oversee');
    const rows = await prisma.staffMember.findMany({
      where: { active: true, municipalities: { hasSome: [...staff.municipalities] } },
      orderBy: { name: 'asc' },
    });
    res.json({
      items: rows
        .filter((r) => r.role !== 'auditor')
        .map((r) => ({
          id: r.id,
          name: r.name,
          role: r.role,
          municipalities: r.municipalities.filter((m) => worksFor(staff, m)),
        })),
    });
  });

  router.get('/workload', async (req, res) => {
    noteAudit(res, 'oversee_workload');
    const staff = authorize(req, 'oversee');
    res.json(await coordination.workload(staff.municipalities));
  });

  /** The whole story of one case, in Catalan with Spanish: steps, reminders, consultations, payments, deadlines. */
  router.get('/timeline/:id', async (req, res) => {
    const { params } = parseRequest(applicationParamsRequest, req);
    noteAudit(res, 'read_timeline', params.id);
    authorizeCase(req, 'read', params.id);
    const app = await prisma.application.findUnique({
      where: { id: params.id },
      include: {
        events: { orderBy: [{ occurredAt: 'asc' }, { id: 'asc' }] },
        consultations: { orderBy: { requestedAt: 'asc' } },
        paymentOrders: { orderBy: { dueDate: 'asc' } },
        deadlines: { orderBy: { dueDate: 'asc' } },
      },
    });
    if (!app) throw HttpError.notFound('No such application');
    type Entry = {
      at: string;
      kind: 'step' | 'reminder' | 'consultation' | 'payment' | 'deadline' | 'notice';
      text: string;
      actor: string | null;
    };
    const entries: Entry[] = [
      ...app.events.map((e): Entry => {
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
      ...app.consultations.map((c): Entry => ({
        at: c.requestedAt.toISOString(),
        kind: 'consultation',
        text: `Consulta / Consulta ${c.service}: ${CONSULTATION_STATES[c.status] ?? c.status}${c.attempts > 1 ? ` (${c.attempts} intents / intentos)` : ''}`,
        actor: c.requestedBy,
      })),
      ...app.paymentOrders.map((p): Entry => ({
        at: p.createdAt.toISOString(),
        kind: 'payment',
        text: `Ordre de pagament / Orden de pago ${p.instalment}: ${p.amount.toFixed(2)} € (${p.dueDate.toISOString().slice(0, 10)})`,
        actor: null,
      })),
      ...app.deadlines.map((d): Entry => ({
        at: d.dueDate.toISOString(),
        kind: 'deadline',
        text: `Termini / Plazo: ${DEADLINE_NAMES[d.kind] ?? d.kind}, ${d.dueDate.toISOString().slice(0, 10)}${d.pausedSince ? ' (aturat / suspendido)' : ''} — ${d.legalBasis.join('; ')}`,
        actor: null,
      })),
    ].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    res.json({ applicationId: app.id, entries });
  });

  /** Bulk reassignment: a preview of what it would touch, then the run; each case says how it went. */
  router.post('/reassignments', async (req, res) => {
    const { body } = parseRequest(bulkReassignRequest, req);
    noteAudit(res, body.preview ? 'preview_bulk_reassign' : 'bulk_reassign');
    const staff = authorize(req, 'reassign');
    const ids = [...new Set(body.applicationIds)];
    const colleague = await prisma.staffMember.findUnique({ where: { id: body.assignee } });
    const rows = await prisma.application.findMany({ where: { id: { in: ids } } });
    const items = [];
    // One bound for the whole run, as for a single case action: with no worker processing the cases each
    // update would wait forever, and 200 cases waiting one bound each would hold the request for hours.
    const runDeadline = Date.now() + caseActionTimeoutSeconds * 1000;
    for (const id of ids) {
      const row = rows.find((r) => r.id === id);
      const municipality = municipalityOfApplication(id);
      if (!row || !worksFor(staff, municipality)) {
        items.push({ applicationId: id, from: null, state: null, outcome: 'not_found' as const });
        continue;
      }
      const base = { applicationId: id, from: row.assignee, state: row.state };
      if (!colleague?.active || !colleague.municipalities.includes(municipality)) {
        items.push({
          ...base,
          outcome: 'refused' as const,
          detail: `${body.assignee} does not work for ${municipality}`,
        });
      } else if (row.closedAt) {
        items.push({ ...base, outcome: 'refused' as const, detail: 'The case is closed' });
      } else if (row.assignee === body.assignee) {
        items.push({ ...base, outcome: 'unchanged' as const });
      } else if (body.preview) {
        items.push({ ...base, outcome: 'would_reassign' as const });
      } else if (Date.now() >= runDeadline) {
        items.push({
          ...base,
          outcome: 'unavailable' as const,
          detail: `Not attempted: the run used its ${caseActionTimeoutSeconds} s waiting for earlier cases`,
        });
      } else {
        try {
          await temporal.connection.withDeadline(runDeadline, () =>
            temporal.workflow.getHandle(id).executeUpdate(reassignUpdate, {
              args: [{ actor: staff.id, assignee: body.assignee, reason: body.reason }],
            }),
          );
          items.push({ ...base, outcome: 'reassigned' as const });
        } catch (err) {
          if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
            items.push({
              ...base,
              outcome: 'unavailable' as const,
              detail:
                `The case did not take the reassignment within ${caseActionTimeoutSeconds} s (its workflow is ` +
                'not being processed now); it is kept and may still be carried out, which the case shows only then',
            });
            continue;
          }
          if (!(err instanceof WorkflowUpdateFailedError) && !(err instanceof WorkflowNotFoundError))
            throw err;
          items.push({
            ...base,
            outcome: 'refused' as const,
            detail: findApplicationFailure(err)?.message ?? 'Closed',
          });
        }
      }
    }
    res.json({ preview: body.preview, assignee: body.assignee, items });
  });

  /**
   * Repair of a case held by a workflow task that no longer replays (stuck as `workflow_task_failing`): a
   * preview says which task the run goes back to and what runs again; the repair resets it there. Refusals
   * (409) say why a reset would not help.
   */
  router.post('/repairs', async (req, res) => {
    const { body } = parseRequest(repairRequest, req);
    noteAudit(res, body.preview ? 'preview_repair' : 'repair_case', body.applicationId);
    const staff = authorizeCase(req, 'repair', body.applicationId);
    const deps = { temporal, replay };
    if (body.preview) {
      const plan = await planRepair(deps, body.applicationId);
      res.json({ preview: true, newRunId: null, ...plan });
      return;
    }
    const repaired = await applyRepair(
      { ...deps, namespace: temporal.options.namespace, identity: staff.id },
      body.applicationId,
      body.expected,
    );
    // On the case's timeline, with the coordinator's words: one row per new run (two requests racing on one
    // reset get the same run). A case whose row is missing (registration writes it again) keeps the audit row.
    const projected = await prisma.application.findUnique({
      where: { id: body.applicationId },
      select: { id: true },
    });
    if (projected) {
      await prisma.applicationEvent.createMany({
        data: [
          {
            applicationId: body.applicationId,
            eventKey: `repair:${repaired.newRunId}`,
            type: 'workflow_repaired',
            actor: staff.id,
            detail: { reason: body.reason, resetToEventId: repaired.resetToEventId, redone: repaired.redone },
            occurredAt: new Date(),
          },
        ],
        skipDuplicates: true,
      });
    }
    res.json({ preview: false, ...repaired });
  });

  return router;
}
