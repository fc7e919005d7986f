/**
 * Reminders on the workflow's durable timers, in the time-skipping server with typed fake activities: each
 * fires on its business day at 09:00 (across a holiday), moves with an extension, is cancelled by a
 * withdrawal, and an unanswered staff reminder escalates to the coordinator.
 */
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createBusinessCalendar } from '../../domain/calendar';
import type { BusinessCalendar } from '../../domain/calendar';
import { officeDateOf, officeStartOfDay, plusDays } from '../../domain/dates';
import { LEGAL_PERIODS } from '../../domain/lifecycle';
import type { IsoDate } from '../../domain/dates';
import { loadReferenceData } from '../../adapters/reference-data';
import {
  extendDocumentDeadlineUpdate,
  statusQuery,
  submitAssessmentUpdate,
  withdrawUpdate,
} from '../../workflows/messages';
import { reach, runCase } from '../helpers/lifecycle';
import type { fakeActivities } from '../../scripts/dev/case-fakes';
import type { FakeOptions } from '../../scripts/dev/case-fakes';
import { bundleWorkflows, createTimeSkippingEnv } from '../helpers/temporal';

const MUNICIPALITY = '08187';
const calendar: BusinessCalendar = createBusinessCalendar(loadReferenceData().calendar, [MUNICIPALITY]);

/** The oracle: `n` business days before `date` (after when negative), by walking the calendar day by day. */
function businessDaysBack(date: IsoDate, n: number): IsoDate {
  let d = date;
  for (let left = Math.abs(n); left > 0;) {
    d = plusDays(d, n > 0 ? -1 : 1);
    if (calendar.isBusinessDay(d)) left--;
  }
  return d;
}
/** 09:00 office time that day, to the minute (the activity is scheduled a few milliseconds after the timer). */
const nineOClock = (day: IsoDate): string =>
  new Date(Date.parse(officeStartOfDay(day)) + 9 * 3_600_000).toISOString().slice(0, 16);

describe('reminders', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleWithSourceMap;

  beforeAll(async () => {
    bundle = await bundleWorkflows();
    env = await createTimeSkippingEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  const today = async (): Promise<IsoDate> => officeDateOf(new Date((await env.currentTimeMs()).valueOf()));

  /** Moves the test server's clock to 10:00 on `day`. */
  async function travelTo(day: IsoDate): Promise<void> {
    const target = Date.parse(officeStartOfDay(day)) + 10 * 3_600_000;
    const now = (await env.currentTimeMs()).valueOf();
    if (target > now) await env.sleep(target - now);
  }

  /**
   * The first business day at least three weeks away whose 10 business days to remedy (counted by the oracle)
   * have a weekday holiday among their last five, so that counting the reminders back from the deadline
   * crosses it. Not "a week before the next holiday": with another holiday in between (filed in the night of
   * 4 December 2026: Reis, with Cap d'Any before it) the holiday falls early in the period and nothing is
   * crossed.
   */
  async function filingDayBeforeAHoliday(): Promise<{ filing: IsoDate; holiday: IsoDate }> {
    const from = plusDays(await today(), 21);
    const weekday = (d: IsoDate): boolean => ![0, 6].includes(new Date(`${d}T12:00:00Z`).getUTCDay());
    for (let filing = from; filing < plusDays(from, 400); filing = plusDays(filing, 1)) {
      if (!calendar.isBusinessDay(filing)) continue;
      const due = businessDaysBack(filing, -LEGAL_PERIODS.remedyBusinessDays);
      const holiday = holidaysBetween(businessDaysBack(due, 5), due).find(weekday);
      if (holiday) return { filing, holiday };
    }
    throw new Error(`no weekday holiday in the calendar data after ${from}: add the next year's calendars`);
  }

  /** The holidays strictly between two dates. */
  function holidaysBetween(from: IsoDate, to: IsoDate): IsoDate[] {
    const found: IsoDate[] = [];
    for (let d = plusDays(from, 1); d < to; d = plusDays(d, 1)) if (calendar.holidayOn(d)) found.push(d);
    return found;
  }

  const withCase = (
    opts: FakeOptions,
    fn: Parameters<typeof runCase>[3],
    adjust?: Parameters<typeof runCase>[4],
  ): Promise<void> => runCase(env, bundle, opts, fn, adjust);

  const documentReminders = (fake: ReturnType<typeof fakeActivities>) =>
    fake.calls.reminders
      .filter((r) => r.deadline === 'document_request')
      .map((r) => ({
        dueDate: r.dueDate,
        before: r.businessDaysBefore,
        at: r.at.slice(0, 16),
        audience: r.audience,
      }));

  it('reminds the citizen 5 and 2 business days before the remedy deadline, at 09:00, across a holiday', async () => {
    const { filing } = await filingDayBeforeAHoliday();
    await travelTo(filing);
    await withCase({ attached: [] }, async (handle, fake) => {
      const waiting = await reach(env, handle, 'awaiting_documents');
      const due = waiting.deadlines.find((d) => d.kind === 'document_request')!.dueDate;
      const five = businessDaysBack(due, 5);
      const two = businessDaysBack(due, 2);
      // Counting back from the deadline crosses a holiday: a plain weekday count would be off.
      expect(holidaysBetween(five, due).length).toBeGreaterThan(0);
      expect(waiting.upcomingReminders).toEqual([
        { deadline: 'document_request', audience: 'citizen', on: five, dueDate: due },
        { deadline: 'document_request', audience: 'citizen', on: two, dueDate: due },
      ]);
      await travelTo(plusDays(due, 1));
      expect(documentReminders(fake)).toEqual([
        { dueDate: due, before: 5, at: nineOClock(five), audience: 'citizen' },
        { dueDate: due, before: 2, at: nineOClock(two), audience: 'citizen' },
      ]);
      expect(new Set(fake.calls.reminders.map((r) => r.key)).size).toBe(fake.calls.reminders.length);
    });
  });

  it('moves the reminders with an extension: the old date is not reminded, the new one is', async () => {
    await withCase({ attached: [] }, async (handle, fake) => {
      const waiting = await reach(env, handle, 'awaiting_documents');
      const due = waiting.deadlines.find((d) => d.kind === 'document_request')!.dueDate;
      await travelTo(businessDaysBack(due, 5));
      expect(documentReminders(fake).map((r) => [r.dueDate, r.before])).toEqual([[due, 5]]);
      const extended = await handle.executeUpdate(extendDocumentDeadlineUpdate, {
        args: [{ actor: 'admin-1', days: 3 }],
      });
      const newDue = extended.deadlines.find((d) => d.kind === 'document_request')!.dueDate;
      expect(newDue > due).toBe(true);
      await travelTo(plusDays(newDue, 1));
      expect(documentReminders(fake)).toEqual([
        { dueDate: due, before: 5, at: nineOClock(businessDaysBack(due, 5)), audience: 'citizen' },
        { dueDate: newDue, before: 5, at: nineOClock(businessDaysBack(newDue, 5)), audience: 'citizen' },
        { dueDate: newDue, before: 2, at: nineOClock(businessDaysBack(newDue, 2)), audience: 'citizen' },
      ]);
    });
  });

  it('cancels every reminder when the applicant withdraws', async () => {
    await withCase({ attached: [] }, async (handle, fake) => {
      const waiting = await reach(env, handle, 'awaiting_documents');
      const due = waiting.deadlines.find((d) => d.kind === 'document_request')!.dueDate;
      const withdrawn = await handle.executeUpdate(withdrawUpdate, { args: [{ actor: 'citizen' }] });
      expect(withdrawn.upcomingReminders).toEqual([]);
      await travelTo(plusDays(due, 5));
      expect(fake.calls.reminders).toEqual([]);
    });
  });

  it('reminds the assignee when a task reaches its service level, and escalates to the coordinator', async () => {
    await withCase(
      {},
      async (handle, fake) => {
        const assessing = await reach(env, handle, 'assessment');
        const sla = assessing.pendingTask!.slaDate;
        await travelTo(businessDaysBack(sla, -3));
        const task = fake.calls.reminders.filter((r) => r.deadline === 'task_sla');
        expect(task.map((r) => [r.audience, r.at.slice(0, 16), r.assignee])).toEqual([
          ['assignee', nineOClock(sla), 'sw-1'],
          ['coordinator', nineOClock(businessDaysBack(sla, -2)), 'sw-1'],
        ]);
      },
      (input) => ({ ...input, assignee: 'sw-1' }),
    );
  });

  it('does not escalate a task done in time', async () => {
    await withCase({}, async (handle, fake) => {
      const assessing = await reach(env, handle, 'assessment');
      await handle.executeUpdate(submitAssessmentUpdate, {
        args: [{ actor: 'sw-1', recommendation: 'grant', report: 'Informe social' }],
      });
      await travelTo(businessDaysBack(assessing.pendingTask!.slaDate, -3));
      const status = await handle.query(statusQuery);
      expect(status.pendingTask?.kind).not.toBe('assessment_report');
      expect(
        fake.calls.reminders.filter(
          (r) => r.deadline === 'task_sla' && r.dueDate === assessing.pendingTask!.slaDate,
        ),
      ).toEqual([]);
    });
  });
});
