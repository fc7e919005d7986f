/**
 * The end of a period: renewal into a new run (continue-as-new) with fresh registry data, or the case closes.
 */
import { allHandlersFinished, condition, continueAsNew } from '@temporalio/workflow';
import { plusDays, plusMonths } from '../../domain/dates';
import type { IsoDate } from '../../domain/dates';
import { SERVICE_LEVELS } from '../../domain/lifecycle';
import { startOf } from '../clock';
import { projection } from './activities';
import { completeness } from './intake';
import type { ApplicationRun, ApplicationWorkflow } from './run';

const CARRIED_HISTORY = 30;

/**
 * Before the period ends, re-check the conditions with fresh registry data: renew into a new run
 * (continue-as-new, so the history stays bounded however many years the case lives), ask for documents,
 * or end.
 */
export async function renewOrClose(run: ApplicationRun, periodStart: IsoDate): Promise<void> {
  const { input, status } = run;
  const renewal = input.pinned.benefit.renewal;
  if (!renewal || run.revoked) return close(run, 'period ended');
  const periodEnd = plusMonths(periodStart, renewal.periodMonths);
  run.setDeadline('renewal', { deadline: periodEnd, legalBasis: [], provisional: false });
  await run.publishView();
  await run.waitFor(
    () => false,
    () => startOf(plusDays(periodEnd, -SERVICE_LEVELS.renewalReviewDays)),
  );
  await run.transition('renewal_review', 'renewal_review');
  const complete = await completeness(run, 'renewal');
  run.evaluate();
  if (!complete || status.eligibility?.outcome !== 'eligible' || !status.eligibility.amount) {
    return close(
      run,
      complete ? `not renewed: ${status.eligibility?.outcome}` : 'not renewed: documents not delivered',
    );
  }
  const [next, freshCalendar] = await Promise.all([
    projection.pinCatalogue({
      municipalityCode: input.municipalityCode,
      benefitCode: input.benefitCode,
      on: periodEnd,
    }),
    projection.loadCalendar({ municipalityCode: input.municipalityCode }),
  ]);
  if (!next) return close(run, 'not renewed: the benefit is no longer in the catalogue');
  await run.recordEvent('renewed', undefined, `period ${status.period + 1} from ${periodEnd}`);
  await condition(allHandlersFinished);
  const amount = status.eligibility.amount;
  const schedule = next.benefit.payment.schedule;
  await continueAsNew<ApplicationWorkflow>(
    { ...input, effectiveFilingDate: periodEnd, pinned: next, calendar: freshCalendar, declared: run.facts },
    {
      period: status.period + 1,
      previousAid: [...run.previousAid, { benefitCode: input.benefitCode, grantedOn: periodStart }],
      history: status.history.slice(-CARRIED_HISTORY),
      renewal: {
        amount: amount.amount,
        instalments: schedule.type === 'monthly' ? schedule.instalments : 1,
        resolvedOn: periodEnd,
        assignee: status.assignee,
      },
    },
  );
}

export async function close(run: ApplicationRun, reason: string): Promise<void> {
  run.status.closingReason = reason;
  await run.transition('closed', 'closed', undefined, reason);
}
