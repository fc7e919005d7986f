import { createBusinessCalendar } from '../../domain/calendar';
import { DEFAULT_STUCK_THRESHOLDS, findStuck } from '../../domain/stuck';
import type { CaseSnapshot } from '../../domain/stuck';
import { loadReferenceData } from '../../adapters/reference-data';

const calendar = createBusinessCalendar(loadReferenceData().calendar, ['08187']);
const ctx = {
  calendar,
  today: '2026-12-30',
  nowMs: Date.parse('2026-12-30T10:00:00Z'),
  thresholds: DEFAULT_STUCK_THRESHOLDS,
};
const fresh: CaseSnapshot = {
  applicationId: '08187-2026-000001',
  state: 'assessment',
  lastChangeAt: '2026-12-29T09:00:00Z',
  deadlines: [],
};
const reasons = (c: Partial<CaseSnapshot>) => findStuck({ ...fresh, ...c }, ctx).map((f) => f.reason);

describe('stuck rules', () => {
  it('finds nothing in a case that moves', () => {
    expect(reasons({})).toEqual([]);
  });

  it('an escalation nothing has answered yet, first', () => {
    const escalation = { at: '2026-12-29T10:00:00Z', by: 'admin-1', reason: 'Sense subministraments' };
    const [f] = findStuck({ ...fresh, escalation }, ctx);
    expect(f).toMatchObject({
      reason: 'escalated',
      detail: expect.stringContaining('Sense subministraments'),
    });
    expect(reasons({ escalation, lastChangeAt: '2026-12-29T11:00:00Z' })).toEqual([]);
  });

  it('a task past its service level, since the day after', () => {
    const [f] = findStuck(
      { ...fresh, task: { kind: 'assessment_report', assignee: 'sw-1', slaDate: '2026-12-28' } },
      ctx,
    );
    expect(f).toMatchObject({
      reason: 'task_overdue',
      since: '2026-12-29',
      detail: expect.stringContaining('sw-1'),
    });
    expect(reasons({ task: { kind: 'assessment_report', slaDate: '2026-12-30' } })).toEqual([]);
  });

  it('a request to remedy unanswered after its reminders, unless documents came', () => {
    const waiting = {
      state: 'awaiting_documents',
      remedyReminders: { count: 2, lastAt: '2026-12-28T08:00:00Z' },
    };
    expect(reasons(waiting)).toEqual(['remedy_unanswered']);
    expect(reasons({ ...waiting, documentsDeliveredSinceRequest: true })).toEqual([]);
    expect(reasons({ ...waiting, remedyReminders: { count: 1, lastAt: '2026-12-21T08:00:00Z' } })).toEqual(
      [],
    );
  });

  it('a registry unavailable longer than the threshold', () => {
    expect(reasons({ unavailableRegistries: [{ service: 'PADRO', since: '2026-12-30T05:00:00Z' }] })).toEqual(
      ['registry_unavailable'],
    );
    expect(reasons({ unavailableRegistries: [{ service: 'PADRO', since: '2026-12-30T08:00:00Z' }] })).toEqual(
      [],
    );
  });

  it('activities retrying and workflow tasks failing, from the engine', () => {
    const engine = {
      pendingActivities: [
        {
          type: 'orderPayment',
          attempt: 4,
          lastFailure: 'treasury unavailable',
          since: '2026-12-30T09:00:00Z',
        },
      ],
    };
    const [f] = findStuck({ ...fresh, engine }, ctx);
    expect(f).toMatchObject({
      reason: 'activity_retrying',
      detail: expect.stringContaining('orderPayment, intent 4'),
    });
    expect(reasons({ engine: { pendingActivities: [{ type: 'x', attempt: 2 }] } })).toEqual([]);
    expect(reasons({ engine: { pendingActivities: [], workflowTaskAttempt: 3 } })).toEqual([
      'workflow_task_failing',
    ]);
  });

  it('no change for 10 business days, counted across the holidays', () => {
    // 10 business days before 30 Dec 2026: 29, 28, 24, 23, 22, 21, 18, 17, 16, 15 (25 Dec holiday).
    expect(reasons({ lastChangeAt: '2026-12-14T12:00:00Z' })).toEqual(['idle']);
    expect(reasons({ lastChangeAt: '2026-12-15T12:00:00Z' })).toEqual([]);
  });

  it('a maximum time to resolve ending within 5 business days, unless paused', () => {
    const max = { kind: 'max_time_to_resolve', dueDate: '2027-01-07' };
    expect(reasons({ deadlines: [max] })).toEqual(['max_time_ending']);
    expect(reasons({ deadlines: [{ ...max, pausedSince: '2026-12-01' }] })).toEqual([]);
    expect(reasons({ deadlines: [{ ...max, dueDate: '2027-01-20' }] })).toEqual([]);
  });

  it('a notification neither opened nor expired when it should be', () => {
    expect(
      reasons({
        state: 'notifying',
        deadlines: [{ kind: 'notification_acceptance', dueDate: '2026-12-28' }],
      }),
    ).toEqual(['notification_stale']);
  });
});
