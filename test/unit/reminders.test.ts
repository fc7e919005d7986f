import { createBusinessCalendar } from '../../domain/calendar';
import { officeDateOf, officeStartOfDay } from '../../domain/dates';
import {
  businessDaysFrom,
  DEFAULT_REMINDER_CADENCES,
  nextSendingInstant,
  planReminders,
} from '../../domain/reminders';
import { renderNotificationAlert, renderReminder } from '../../domain/templates';
import { loadReferenceData } from '../../adapters/reference-data';

// Sabadell: Catalan holidays (8 and 25 December 2026, 1 and 6 January 2027), weekends.
const calendar = createBusinessCalendar(loadReferenceData().calendar, ['08187']);
const start = (d: string) => Date.parse(officeStartOfDay(d));

describe('reminder days', () => {
  it.each([
    // deadline, business days before, hand-counted reminder day
    ['2026-12-29', 2, '2026-12-24'], // 28 Mon, (25 Fri holiday, 26-27 weekend), 24 Thu
    ['2026-12-29', 5, '2026-12-21'], // 28, 24, 23, 22, 21
    ['2027-01-07', 3, '2026-12-31'], // 5 Tue, 4 Mon, 31 Thu: 6 Wed (Epiphany) and 1 Fri are holidays
    ['2026-12-10', 2, '2026-12-07'], // 9 Wed, 7 Mon: 8 Tue holiday
    ['2026-12-24', 0, '2026-12-24'],
    ['2026-12-26', 0, '2026-12-24'], // the last day is a holiday (Saturday): the business day before
    ['2026-12-24', -2, '2026-12-29'], // escalation: 28, 29
  ])('%s minus %i business days is %s', (deadline, n, expected) => {
    expect(businessDaysFrom(calendar, deadline, n)).toBe(expected);
  });

  it('plans from the benefit cadence or the defaults, with stable keys, and none for a paused deadline', () => {
    const planned = planReminders(
      calendar,
      '08187-2026-000001',
      [
        { kind: 'document_request', dueDate: '2026-12-29', legalBasis: [], provisional: false },
        {
          kind: 'max_time_to_resolve',
          dueDate: '2027-03-01',
          legalBasis: [],
          provisional: false,
          pausedSince: '2026-12-14',
        },
        { kind: 'appeal_filing', dueDate: '2027-01-29', legalBasis: [], provisional: false },
      ],
      { document_request: [{ audience: 'citizen', businessDaysBefore: 1 }] },
    );
    expect(planned).toEqual([
      {
        key: '08187-2026-000001:reminder:document_request:2026-12-29:citizen:1',
        deadline: 'document_request',
        dueDate: '2026-12-29',
        audience: 'citizen',
        businessDaysBefore: 1,
        on: '2026-12-28',
      },
    ]);
    const defaults = planReminders(
      calendar,
      'x',
      [{ kind: 'task_sla', dueDate: '2026-12-24', legalBasis: [], provisional: false }],
      undefined,
    );
    expect(defaults.map((r) => [r.audience, r.on])).toEqual([
      ['assignee', '2026-12-24'],
      ['coordinator', '2026-12-29'],
    ]);
    expect(DEFAULT_REMINDER_CADENCES.document_request.map((c) => c.businessDaysBefore)).toEqual([5, 2]);
  });

  it('sends to people only between 09:00 and 20:00 on business days', () => {
    const at = (d: string, h: number) => start(d) + h * 3_600_000;
    const next = (ms: number) => nextSendingInstant(calendar, ms, officeDateOf, start);
    expect(next(at('2026-12-23', 7))).toBe(at('2026-12-23', 9));
    expect(next(at('2026-12-23', 13))).toBe(at('2026-12-23', 13));
    expect(next(at('2026-12-24', 21))).toBe(at('2026-12-28', 9)); // Christmas, weekend
    expect(next(at('2026-12-26', 10))).toBe(at('2026-12-28', 9));
  });
});

describe('reminder texts', () => {
  const base = {
    applicationId: '08187-2026-000042',
    deadline: 'document_request' as const,
    dueDate: '2026-12-29',
    audience: 'citizen' as const,
    legalBasis: ['Llei 39/2015, art. 68.1'],
  };

  it('quotes the case, what is due, the date and the legal basis, in the person’s language', () => {
    const ca = renderReminder({ ...base, language: 'ca' });
    expect(ca.subject).toBe('Expedient 08187-2026-000042: data límit 29/12/2026');
    expect(ca.text).toContain('aportar la documentació requerida');
    expect(ca.text).toContain('Llei 39/2015, art. 68.1');
    const es = renderReminder({ ...base, language: 'es' });
    expect(es.subject).toBe('Expediente 08187-2026-000042: fecha límite 29/12/2026');
    expect(es.text).toContain('aportar la documentación requerida');
  });

  it('fits an SMS in one segment, for every deadline and language', () => {
    for (const deadline of Object.keys(
      DEFAULT_REMINDER_CADENCES,
    ) as (keyof typeof DEFAULT_REMINDER_CADENCES)[]) {
      for (const language of ['ca', 'es'] as const) {
        for (const audience of ['citizen', 'assignee', 'coordinator'] as const) {
          expect(renderReminder({ ...base, deadline, language, audience }).sms.length).toBeLessThanOrEqual(
            160,
          );
        }
      }
    }
    expect(
      renderNotificationAlert({ applicationId: base.applicationId, language: 'ca', acceptBy: '2026-12-29' })
        .sms.length,
    ).toBeLessThanOrEqual(160);
  });

  it('marks an escalation to the coordinator', () => {
    const escalated = renderReminder({
      ...base,
      deadline: 'task_sla',
      audience: 'coordinator',
      language: 'ca',
      escalation: true,
    });
    expect(escalated.subject).toMatch(/^\[Escalat \/ Escalado\] Expedient 08187-2026-000042/);
  });
});
