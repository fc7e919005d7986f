/**
 * One workflow per application (expedient), from submission to archive, possibly for years: registration
 * and acknowledgement, completeness (registries first, then a request to remedy), assessment, proposal and
 * resolution (four eyes), notification, appeal, payments, justification, repayment and renewal, with
 * withdrawal, change of circumstances and reassignment at any time. Legal deadlines are durable timers over
 * the office's business-day calendar; every state change is projected into PostgreSQL by activities.
 *
 * The run's state and shared operations are in run.ts, its handlers in handlers.ts, each phase in a file of
 * its own (intake, decision, payment, renewal); this function wires them and runs the lifecycle. Its name is
 * the workflow type of running cases and recorded histories: it never changes.
 */
import { allHandlersFinished, condition } from '@temporalio/workflow';
import type { ApplicationInput, ApplicationStatus } from '../../domain/application';
import { today } from '../clock';
import { appealPeriod, decide, notify, watchMaxTimeToResolve } from './decision';
import { registerHandlers } from './handlers';
import { completeness, register } from './intake';
import { justify, pay } from './payment';
import { close, renewOrClose } from './renewal';
import type { CarriedState } from './run';
import { ApplicationRun, CaseClosed } from './run';

export type { CarriedState } from './run';

export async function applicationWorkflow(
  input: ApplicationInput,
  carried?: CarriedState,
): Promise<ApplicationStatus> {
  const run = new ApplicationRun(input, carried);
  const { status } = run;
  // Read through a function: handlers change it while the main flow awaits, which narrowing cannot see.
  const outcome = (): string | undefined => status.resolution?.outcome;

  // State is initialised above; handlers before any await.
  registerHandlers(run);

  // ---- the lifecycle -------------------------------------------------------------------------------------

  try {
    if (carried) {
      // A renewed period starts from its renewal resolution.
      const schedule = input.pinned.benefit.payment.schedule;
      status.resolution = {
        outcome: 'granted',
        reasons: 'renovació / renovación',
        amount: carried.renewal.amount,
        instalments: schedule.type === 'monthly' ? schedule.instalments : carried.renewal.instalments,
        proposedBy: 'renewal',
        resolvedBy: 'renewal',
        resolvedOn: carried.renewal.resolvedOn,
      };
      await run.recordEvent('period_started', undefined, `period ${status.period}`);
    } else {
      await register(run);
      const maxTimeWatch = watchMaxTimeToResolve(run);
      const complete = await completeness(run);
      if (!complete) {
        // Art. 68.1: the person is taken to have withdrawn; that is declared by resolution.
        status.proposal = {
          outcome: 'withdrawal',
          reasons: 'Requeriment d’esmena no atès / requerimiento no atendido',
          proposedBy: 'system',
        };
        await run.transition('proposed', 'withdrawal_proposed', undefined, 'remedy period expired');
      }
      await decide(run);
      await maxTimeWatch;
    }
    await notify(run);
    if (outcome() !== 'granted') {
      await appealPeriod(run);
      if (outcome() !== 'granted')
        await close(run, outcome() === 'withdrawal' ? 'withdrawal declared' : 'refused');
    }
    if (!run.closed() && status.resolution && outcome() === 'granted') {
      const firstDue = status.notification?.effectiveOn ?? today();
      // An appeal does not suspend the act (art. 117): payments and justification go on meanwhile. The
      // concurrent appeal month settles into a value, so that a case closed meanwhile is no unhandled rejection.
      const appeal = appealPeriod(run).then(
        () => undefined,
        (err: unknown) => err,
      );
      await pay(run, firstDue);
      await justify(run);
      const appealError = await appeal;
      if (appealError) throw appealError as Error;
      if (!run.closed()) await renewOrClose(run, status.resolution.resolvedOn);
    }
  } catch (err) {
    if (!(err instanceof CaseClosed)) throw err;
  }
  await condition(allHandlersFinished);
  // Nothing taken is left unwritten (every path closes with a change of state, which writes them).
  if (run.pendingEvents.length) await run.flushEvents();
  return status;
}
