/**
 * The reminders of a case's running deadlines: a durable timer per planned reminder, kept in line with the
 * deadlines whenever the case view is published (ApplicationRun.caseView).
 */
import { ActivityFailure, CancellationScope, isCancellation, patched, sleep } from '@temporalio/workflow';
import type { ApplicationInput, ApplicationStatus } from '../../domain/application';
import { isClosed } from '../../domain/application';
import type { BusinessCalendar } from '../../domain/calendar';
import { planReminders, REMINDER_HOUR } from '../../domain/reminders';
import type { PlannedReminder } from '../../domain/reminders';
import { nowMs, startOf } from '../clock';
import { reminderSender } from './activities';
import { REMINDERS_PATCH } from './patches';

const [REMINDER_HOURS, REMINDER_MINUTES] = REMINDER_HOUR.split(':').map(Number) as [number, number];

const reminderInstant = (r: PlannedReminder): number =>
  startOf(r.on) + (REMINDER_HOURS * 60 + REMINDER_MINUTES) * 60_000;

export class Reminders {
  /** Pending reminder timers by reminder key; a reminder whose deadline moved or ended is cancelled. */
  private readonly timers = new Map<string, { reminder: PlannedReminder; scope: CancellationScope }>();
  private on: boolean | undefined;

  constructor(
    private readonly input: ApplicationInput,
    private readonly calendar: BusinessCalendar,
    private readonly status: ApplicationStatus,
  ) {}

  enabled(): boolean {
    this.on ??= patched(REMINDERS_PATCH);
    return this.on;
  }

  /**
   * Brings the reminder timers in line with the running deadlines: what a moved, paused or cleared deadline
   * no longer calls for is cancelled, what a new date calls for is started. Called whenever the case view
   * is published, which every change of deadlines or state does.
   */
  sync(): void {
    if (!this.enabled()) return;
    const { input, status } = this;
    const wanted = isClosed(status.state)
      ? []
      : planReminders(
          this.calendar,
          input.applicationId,
          status.deadlines,
          input.pinned.benefit.reminders,
        ).filter((r) => reminderInstant(r) > nowMs());
    const keys = new Set(wanted.map((r) => r.key));
    for (const [key, timer] of this.timers) {
      if (!keys.has(key)) {
        timer.scope.cancel();
        this.timers.delete(key);
      }
    }
    for (const reminder of wanted) {
      if (this.timers.has(reminder.key)) continue;
      const scope = new CancellationScope();
      this.timers.set(reminder.key, { reminder, scope });
      scope
        .run(async () => {
          await sleep(reminderInstant(reminder) - nowMs());
          this.timers.delete(reminder.key);
          this.list();
          // Once due, it goes out even if the deadline moves while it is being sent.
          await CancellationScope.nonCancellable(() => this.send(reminder));
        })
        .catch((err: unknown) => {
          // Cancelled (the deadline moved or ended), or the channels kept failing after their retries, which
          // the activity has recorded: a reminder never stops the procedure.
          if (!isCancellation(err) && !(err instanceof ActivityFailure)) throw err;
        });
    }
    this.list();
  }

  /** The reminders still to go out, in the case's status. */
  private list(): void {
    this.status.upcomingReminders = [...this.timers.values()]
      .map(({ reminder: r }) => ({
        deadline: r.deadline,
        audience: r.audience,
        on: r.on,
        dueDate: r.dueDate,
      }))
      .sort((a, b) => (a.on < b.on ? -1 : a.on > b.on ? 1 : 0));
  }

  private async send(r: PlannedReminder): Promise<void> {
    const { input, status } = this;
    const deadline = status.deadlines.find((d) => d.kind === r.deadline);
    await reminderSender.sendReminder({
      key: r.key,
      applicationId: input.applicationId,
      municipalityCode: input.municipalityCode,
      benefitCode: input.benefitCode,
      deadline: r.deadline,
      dueDate: r.dueDate,
      audience: r.audience,
      businessDaysBefore: r.businessDaysBefore,
      language: input.applicant.language,
      legalBasis: (deadline?.legalBasis ?? []).map((b) => ({ law: b.law, article: b.article })),
      assignee: status.assignee,
      ...(r.audience === 'citizen'
        ? { citizen: { email: input.applicant.email, phone: input.applicant.phone } }
        : {}),
    });
  }
}
