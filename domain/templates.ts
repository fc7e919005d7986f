/**
 * What reminders and notification alerts say, in Catalan and Spanish by the person's language. They quote
 * the case number, what is due, the date and its legal basis, and nothing more: no names, amounts, household
 * or health data, since email and SMS are not confidential channels.
 */
import type { RemindedDeadline, ReminderAudience } from './reminders';

export type Language = 'ca' | 'es';

export interface RenderedMessage {
  subject: string;
  /** Email body (plain text). */
  text: string;
  /** At most 160 characters (one SMS segment, GSM-7 aside). */
  sms: string;
}

const WHAT: Record<RemindedDeadline, { ca: string; es: string }> = {
  document_request: {
    ca: 'aportar la documentació requerida (esmena)',
    es: 'aportar la documentación requerida (subsanación)',
  },
  justification: {
    ca: 'justificar la despesa de l’ajut rebut',
    es: 'justificar el gasto de la ayuda recibida',
  },
  renewal: {
    ca: 'revisar la renovació de l’ajut: comproveu que les vostres dades estan al dia',
    es: 'revisar la renovación de la ayuda: compruebe que sus datos están al día',
  },
  notification_acceptance: {
    ca: 'obrir la notificació electrònica pendent (si no, es considerarà rebutjada)',
    es: 'abrir la notificación electrónica pendiente (si no, se considerará rechazada)',
  },
  task_sla: {
    ca: 'completar la tasca pendent de l’expedient',
    es: 'completar la tarea pendiente del expediente',
  },
  max_time_to_resolve: {
    ca: 'resoldre abans que s’esgoti el termini màxim per resoldre',
    es: 'resolver antes de que se agote el plazo máximo para resolver',
  },
};

/** 2026-03-02 → 02/03/2026, as people read dates here. */
export function displayDate(iso: string): string {
  const [y, m, d] = iso.split('-');
  return `${d}/${m}/${y}`;
}

export interface ReminderParams {
  applicationId: string;
  deadline: RemindedDeadline;
  dueDate: string;
  audience: ReminderAudience;
  language: Language;
  /** `Llei 39/2015, art. 68.1`. */
  legalBasis: string[];
  /** Days overdue, for escalations (negative business days before). */
  escalation?: boolean;
}

export function renderReminder(p: ReminderParams): RenderedMessage {
  const what = WHAT[p.deadline][p.language];
  const date = displayDate(p.dueDate);
  const basis = p.legalBasis.length > 0 ? p.legalBasis.join('; ') : undefined;
  if (p.audience !== 'citizen') {
    // Staff read both languages; the office's working language first.
    const prefix = p.escalation ? '[Escalat / Escalado] ' : '';
    return {
      subject: `${prefix}Expedient ${p.applicationId}: ${WHAT[p.deadline].ca} abans del ${date}`,
      text: [
        `Expedient / Expediente: ${p.applicationId}`,
        `Cal / Hay que: ${WHAT[p.deadline].ca} / ${WHAT[p.deadline].es}`,
        `Data límit / Fecha límite: ${date}`,
        ...(basis ? [`Base legal / Base legal: ${basis}`] : []),
        ...(p.escalation
          ? [
              'Recordatori sense resposta: s’escala a la coordinació. / Recordatorio sin respuesta: se escala a la coordinación.',
            ]
          : []),
      ].join('\n'),
      sms: `${prefix}OGPS ${p.applicationId}: ${date}`.slice(0, 160),
    };
  }
  if (p.language === 'es') {
    return {
      subject: `Expediente ${p.applicationId}: fecha límite ${date}`,
      text: [
        `Le recordamos que en el expediente ${p.applicationId} debe ${what} antes del ${date} (incluido).`,
        ...(basis ? [`Base legal: ${basis}.`] : []),
        'Puede hacerlo en la sede electrónica o en la oficina. Si ya lo ha hecho, no tenga en cuenta este aviso.',
      ].join('\n\n'),
      sms: `OGPS: expediente ${p.applicationId}, fecha limite ${date}. Consulte la sede electronica.`.slice(
        0,
        160,
      ),
    };
  }
  return {
    subject: `Expedient ${p.applicationId}: data límit ${date}`,
    text: [
      `Us recordem que a l’expedient ${p.applicationId} heu de ${what} abans del ${date} (inclòs).`,
      ...(basis ? [`Base legal: ${basis}.`] : []),
      'Ho podeu fer a la seu electrònica o a l’oficina. Si ja ho heu fet, no tingueu en compte aquest avís.',
    ].join('\n\n'),
    sms: `OGPS: expedient ${p.applicationId}, data limit ${date}. Consulteu la seu electronica.`.slice(
      0,
      160,
    ),
  };
}

/** The courtesy alert that a notification has been deposited (e-NOTUM): it never replaces the notification. */
export function renderNotificationAlert(p: {
  applicationId: string;
  language: Language;
  acceptBy: string;
}): RenderedMessage {
  const date = displayDate(p.acceptBy);
  if (p.language === 'es') {
    return {
      subject: `Expediente ${p.applicationId}: tiene una notificación electrónica`,
      text: [
        `Tiene una notificación electrónica del expediente ${p.applicationId} en la sede electrónica.`,
        `Si no la abre antes de que acabe el día ${date}, se considerará rechazada y el procedimiento seguirá (art. 43.2 Ley 39/2015).`,
        'Este aviso no es la notificación.',
      ].join('\n\n'),
      sms: `OGPS: tiene una notificacion del expediente ${p.applicationId}. Abrala como tarde el ${date}.`.slice(
        0,
        160,
      ),
    };
  }
  return {
    subject: `Expedient ${p.applicationId}: teniu una notificació electrònica`,
    text: [
      `Teniu una notificació electrònica de l’expedient ${p.applicationId} a la seu electrònica.`,
      `Si no l’obriu abans que acabi el dia ${date}, es considerarà rebutjada i el procediment continuarà (art. 43.2 Llei 39/2015).`,
      'Aquest avís no és la notificació.',
    ].join('\n\n'),
    sms: `OGPS: teniu una notificacio de l'expedient ${p.applicationId}. Obriu-la com a molt tard el ${date}.`.slice(
      0,
      160,
    ),
  };
}

/** An escalation to the coordinators: staff read both languages. */
export function renderEscalation(p: { applicationId: string; by: string; reason: string }): RenderedMessage {
  return {
    subject: `[Escalat / Escalado] Expedient ${p.applicationId}`,
    text: [
      `Expedient / Expediente: ${p.applicationId}`,
      `Escalat per / Escalado por: ${p.by}`,
      `Motiu / Motivo: ${p.reason}`,
      'Vegeu l’expedient a la pàgina de coordinació (/office/). / Vea el expediente en la página de coordinación.',
    ].join('\n'),
    sms: `OGPS ${p.applicationId}: escalat / escalado`,
  };
}
