/**
 * When a case is stuck, why, since when, and what a coordinator can do about it. Each rule is a small pure
 * function of a snapshot of the case (its projection, plus what the workflow engine says about it) and the
 * thresholds, which are configurable. The reasons and actions are what a coordinator reads: in Catalan,
 * with Spanish beside it.
 */
import type { BusinessCalendar } from './calendar';
import { plusDays } from './dates';
import type { IsoDate } from './dates';
import { businessDaysFrom } from './reminders';

export const STUCK_REASONS = [
  'escalated',
  'task_overdue',
  'remedy_unanswered',
  'registry_unavailable',
  'activity_retrying',
  'workflow_task_failing',
  'idle',
  'max_time_ending',
  'notification_stale',
] as const;
export type StuckReason = (typeof STUCK_REASONS)[number];

export interface StuckThresholds {
  /** A registry unavailable (the case blocked on it) for longer than this. */
  registryUnavailableHours: number;
  /** An activity retrying at least this many attempts. */
  activityAttempts: number;
  /** No state change for this many business days. */
  idleBusinessDays: number;
  /** The maximum time to resolve ends within this many business days. */
  maxTimeBusinessDays: number;
  /** Citizen reminders sent, with no reaction, before a request to remedy counts as unanswered. */
  remedyReminders: number;
}

export const DEFAULT_STUCK_THRESHOLDS: StuckThresholds = {
  registryUnavailableHours: 4,
  activityAttempts: 3,
  idleBusinessDays: 10,
  maxTimeBusinessDays: 5,
  remedyReminders: 2,
};

export interface CaseSnapshot {
  applicationId: string;
  state: string;
  /** When the case last changed state (ISO instant). */
  lastChangeAt: string;
  task?: { kind: string; assignee?: string | null | undefined; slaDate: IsoDate } | undefined;
  deadlines: { kind: string; dueDate: IsoDate; pausedSince?: IsoDate | null | undefined }[];
  /** Citizen reminders of the request to remedy sent for its current date, and when the last one went out. */
  remedyReminders?: { count: number; lastAt: string } | undefined;
  /** Documents delivered since the request to remedy. */
  documentsDeliveredSinceRequest?: boolean | undefined;
  /** The latest escalation, when nothing has changed state since. */
  escalation?: { at: string; by: string; reason: string } | undefined;
  /** Registries unavailable, and since when (from the workflow's status). */
  unavailableRegistries?: { service: string; since: string }[] | undefined;
  /** What the workflow engine reports: activities pending with their attempts and last failure. */
  engine?:
    | {
        pendingActivities: {
          type: string;
          attempt: number;
          lastFailure?: string | undefined;
          since?: string | undefined;
        }[];
        workflowTaskAttempt?: number | undefined;
      }
    | undefined;
}

export interface StuckFinding {
  reason: StuckReason;
  /** ISO instant or date from which the case has been stuck for this reason. */
  since: string;
  /** What blocks it, for a person: Catalan / Spanish. */
  detail: string;
  /** What the coordinator can do: Catalan / Spanish. */
  action: string;
}

export interface StuckContext {
  calendar: BusinessCalendar;
  today: IsoDate;
  nowMs: number;
  thresholds: StuckThresholds;
}

type Rule = (c: CaseSnapshot, ctx: StuckContext) => StuckFinding | undefined;

const TASK_NAMES: Record<string, string> = {
  assessment_report: 'informe tècnic o social / informe técnico o social',
  resolution: 'resolució / resolución',
  appeal_resolution: 'resolució del recurs / resolución del recurso',
  justification_review: 'revisió de la justificació / revisión de la justificación',
  payment_failure: 'pagament fallit / pago fallido',
};

const RULES: Record<StuckReason, Rule> = {
  escalated: (c) =>
    c.escalation && c.escalation.at >= c.lastChangeAt
      ? {
          reason: 'escalated',
          since: c.escalation.at,
          detail: `Escalat per / Escalado por ${c.escalation.by}: ${c.escalation.reason}`,
          action: 'Atendre-ho i reassignar si cal / Atenderlo y reasignar si hace falta',
        }
      : undefined,

  task_overdue: (c, { today }) =>
    c.task && c.task.slaDate < today
      ? {
          reason: 'task_overdue',
          since: plusDays(c.task.slaDate, 1),
          detail: `Tasca pendent fora de termini / Tarea pendiente fuera de plazo: ${TASK_NAMES[c.task.kind] ?? c.task.kind}${c.task.assignee ? ` (${c.task.assignee})` : ''}`,
          action: 'Reassignar o escalar / Reasignar o escalar',
        }
      : undefined,

  remedy_unanswered: (c, { thresholds }) =>
    c.state === 'awaiting_documents' &&
    !c.documentsDeliveredSinceRequest &&
    c.remedyReminders &&
    c.remedyReminders.count >= thresholds.remedyReminders
      ? {
          reason: 'remedy_unanswered',
          since: c.remedyReminders.lastAt,
          detail: `Esmena sense resposta després de ${c.remedyReminders.count} recordatoris / Subsanación sin respuesta tras ${c.remedyReminders.count} recordatorios`,
          action:
            'Contactar la persona o concedir una ampliació / Contactar a la persona o conceder una ampliación',
        }
      : undefined,

  registry_unavailable: (c, { nowMs, thresholds }) => {
    const long = (c.unavailableRegistries ?? []).filter(
      (r) => nowMs - Date.parse(r.since) >= thresholds.registryUnavailableHours * 3_600_000,
    );
    if (long.length === 0) return undefined;
    const since = long.map((r) => r.since).sort()[0]!;
    return {
      reason: 'registry_unavailable',
      since,
      detail: `Esperant un registre no disponible / Esperando un registro no disponible: ${long.map((r) => r.service).join(', ')}`,
      action:
        'Esperar o demanar el document a la persona; avisar l’equip tècnic si dura / Esperar o pedir el documento a la persona; avisar al equipo técnico si dura',
    };
  },

  activity_retrying: (c, { thresholds }) => {
    const retrying = (c.engine?.pendingActivities ?? []).filter(
      (a) => a.attempt >= thresholds.activityAttempts,
    );
    if (retrying.length === 0) return undefined;
    const worst = [...retrying].sort((a, b) => b.attempt - a.attempt)[0]!;
    return {
      reason: 'activity_retrying',
      since:
        retrying
          .map((a) => a.since)
          .filter((s): s is string => !!s)
          .sort()[0] ?? '',
      detail: `Un pas automàtic falla i es reintenta / Un paso automático falla y se reintenta: ${worst.type}, intent ${worst.attempt}${worst.lastFailure ? ` — ${worst.lastFailure}` : ''}`,
      action: 'Avisar l’equip tècnic / Avisar al equipo técnico',
    };
  },

  workflow_task_failing: (c) =>
    (c.engine?.workflowTaskAttempt ?? 0) >= 2
      ? {
          reason: 'workflow_task_failing',
          since: '',
          detail: `L’expedient no avança per un error del sistema (intent ${c.engine?.workflowTaskAttempt}) / El expediente no avanza por un error del sistema (intento ${c.engine?.workflowTaskAttempt})`,
          action:
            'Reparar l’expedient (coordinació) o avisar l’equip tècnic / Reparar el expediente (coordinación) o avisar al equipo técnico',
        }
      : undefined,

  idle: (c, { calendar, today, thresholds }) => {
    const changed = c.lastChangeAt.slice(0, 10);
    const limit = businessDaysFrom(calendar, today, thresholds.idleBusinessDays);
    return changed < limit
      ? {
          reason: 'idle',
          since: c.lastChangeAt,
          detail: `Sense canvis des del / Sin cambios desde el ${changed}`,
          action: 'Revisar l’expedient / Revisar el expediente',
        }
      : undefined;
  },

  max_time_ending: (c, { calendar, today, thresholds }) => {
    const max = c.deadlines.find((d) => d.kind === 'max_time_to_resolve' && !d.pausedSince);
    if (!max) return undefined;
    const warnFrom = businessDaysFrom(calendar, max.dueDate, thresholds.maxTimeBusinessDays);
    return today >= warnFrom
      ? {
          reason: 'max_time_ending',
          since: warnFrom,
          detail: `El termini màxim per resoldre acaba el / El plazo máximo para resolver acaba el ${max.dueDate}`,
          action: 'Prioritzar la resolució / Priorizar la resolución',
        }
      : undefined;
  },

  notification_stale: (c, { today }) => {
    const acceptance = c.deadlines.find((d) => d.kind === 'notification_acceptance');
    return c.state === 'notifying' && acceptance && acceptance.dueDate < today
      ? {
          reason: 'notification_stale',
          since: plusDays(acceptance.dueDate, 1),
          detail: `Notificació ni oberta ni caducada després del / Notificación ni abierta ni caducada tras el ${acceptance.dueDate}`,
          action: 'Comprovar l’estat a e-NOTUM i registrar-lo / Comprobar el estado en e-NOTUM y registrarlo',
        }
      : undefined;
  },
};

/** Every reason the case is stuck for, in the order of STUCK_REASONS. */
export function findStuck(c: CaseSnapshot, ctx: StuckContext): StuckFinding[] {
  return STUCK_REASONS.flatMap((reason) => {
    const finding = RULES[reason](c, ctx);
    return finding ? [finding] : [];
  });
}
