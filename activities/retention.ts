/**
 * Retention: closed cases whose retention period (RETENTION_DAYS) has passed lose their personal data, in
 * PostgreSQL and in Temporal. Driven by the retention workflow's durable timers (workflows/retention.ts);
 * the rules of what stays are in domain/retention.ts.
 *
 * Order, for crash safety: a case's workflow executions are deleted from Temporal first, then its rows are
 * anonymised in one transaction that ends by setting `anonymised_at`. A crash in between leaves a case
 * without histories whose rows still hold the data and `anonymised_at` null: it is still due, the next
 * attempt finds its executions gone (NotFound counts as deleted) and anonymises the rows. The other order
 * would mark the case done with its histories still in Temporal and nothing left to find them by.
 */
import { Prisma } from '../generated/prisma/client';
import type { PrismaClient } from '../generated/prisma/client';
import { deleteWorkflowExecutions } from '../adapters/temporal/retention';
import type { TemporalAccess } from '../adapters/temporal/retention';
import {
  ANONYMISED_NAME,
  ANONYMISED_VALUE,
  anonymisedStepDetail,
  dueAt,
  retentionCutoff,
} from '../domain/retention';

export interface RetentionDeps {
  prisma: PrismaClient;
  /** Where the cases' workflow executions are deleted; without it nothing is anonymised (see below). */
  temporal?: TemporalAccess | undefined;
  /** RETENTION_DAYS. */
  retentionDays?: number | undefined;
  /** The time retention is measured against; the system clock by default (tests move it). */
  clock?: (() => Date) | undefined;
}

export interface AnonymiseInput {
  /** Cases handled in one activity, so that one run stays well within its timeout. */
  batchSize: number;
}

export interface AnonymiseResult {
  /** Cases anonymised by this call. */
  anonymised: number;
  /** Whether more cases are due now (the batch was full). */
  moreDue: boolean;
  /** When the next case not yet due falls due (ISO), or null when no closed case is waiting. */
  nextDueAt: string | null;
}

export const DEFAULT_RETENTION_DAYS = 1826;

type Tx = Prisma.TransactionClient;

/** Removes the personal data of one case from every table that holds it, and marks it anonymised. */
export async function anonymiseCaseRows(tx: Tx, applicationId: string, at: Date): Promise<boolean> {
  // Locks the row, and skips a case another attempt finished meanwhile.
  const { count } = await tx.application.updateMany({
    where: { id: applicationId, anonymisedAt: null, closedAt: { not: null } },
    data: { applicantName: ANONYMISED_NAME, applicantDocument: ANONYMISED_VALUE },
  });
  if (count === 0) return false;
  // Household, incomes, bank account: nothing the indicators count.
  await tx.applicationIntake.deleteMany({ where: { applicationId } });
  // What the person said about each registry, with their document.
  await tx.registryConsent.deleteMany({ where: { applicationId } });
  // Consultations stay for registry availability and paperwork avoided; who they were about and what the
  // registry answered go.
  await tx.registryConsultation.updateMany({
    where: { applicationId },
    data: { holderDocument: ANONYMISED_VALUE, result: Prisma.DbNull, outcome: null },
  });
  // Professional notes (the social report) are about the person through and through.
  await tx.professionalNote.deleteMany({ where: { applicationId } });
  // The filing's idempotency record (a hash of the filed body) and any household claim left.
  await tx.intakeRequest.deleteMany({ where: { applicationId } });
  await tx.householdClaim.deleteMany({ where: { applicationId } });
  // Deliveries stay counted per channel and status; the address, the provider's reference and the
  // error (which may quote the address) go. The key embeds the recipient: it is rewritten.
  const deliveries = await tx.noticeDelivery.findMany({
    where: { applicationId },
    select: { key: true, noticeKey: true, channel: true },
    orderBy: { key: 'asc' },
  });
  for (const [i, d] of deliveries.entries()) {
    await tx.noticeDelivery.update({
      where: { key: d.key },
      data: {
        key: `${d.noticeKey}:${d.channel}:${ANONYMISED_VALUE}-${i + 1}`,
        recipient: ANONYMISED_VALUE,
        providerId: null,
        error: null,
      },
    });
  }
  // The timeline keeps its steps (the indicators count them) without what people typed about the case.
  const events = await tx.applicationEvent.findMany({
    where: { applicationId, detail: { not: Prisma.DbNull } },
    select: { id: true, type: true, detail: true },
  });
  for (const e of events) {
    const detail = anonymisedStepDetail(e.type, e.detail);
    if (JSON.stringify(detail) === JSON.stringify(e.detail)) continue;
    await tx.applicationEvent.update({
      where: { id: e.id },
      data: { detail: detail === null ? Prisma.DbNull : (detail as Prisma.InputJsonObject) },
    });
  }
  // Last: the mark that everything above is done (same transaction).
  await tx.application.update({ where: { id: applicationId }, data: { anonymisedAt: at } });
  return true;
}

export function createRetentionActivities({ prisma, temporal, retentionDays, clock }: RetentionDeps) {
  const days = retentionDays ?? DEFAULT_RETENTION_DAYS;
  const now = clock ?? (() => new Date());
  return {
    /**
     * Anonymises up to `batchSize` cases closed more than the retention period ago, oldest first, and says
     * whether more are due and when the next one falls due. Safe to retry: each case is finished or not.
     */
    async anonymiseDueCases(input: AnonymiseInput): Promise<AnonymiseResult> {
      if (!temporal) {
        // Rows anonymised while the histories stay in Temporal would hide the histories from every later
        // run: refuse instead (the worker always passes its connection).
        throw new Error('retention needs access to Temporal to delete the cases’ workflow histories');
      }
      const at = now();
      const cutoff = retentionCutoff(at, days);
      const due = await prisma.application.findMany({
        where: { anonymisedAt: null, closedAt: { lt: cutoff } },
        select: { id: true },
        orderBy: { closedAt: 'asc' },
        take: input.batchSize + 1,
      });
      const batch = due.slice(0, input.batchSize);
      let anonymised = 0;
      for (const { id } of batch) {
        if (!/^[0-9-]+$/.test(id)) throw new Error(`unexpected application number ${JSON.stringify(id)}`);
        await deleteWorkflowExecutions(temporal, id);
        const done = await prisma.$transaction((tx) => anonymiseCaseRows(tx, id, at));
        if (done) anonymised++;
      }
      const next = await prisma.application.findFirst({
        where: { anonymisedAt: null, closedAt: { gte: cutoff } },
        select: { closedAt: true },
        orderBy: { closedAt: 'asc' },
      });
      return {
        anonymised,
        moreDue: due.length > input.batchSize,
        nextDueAt: next?.closedAt ? dueAt(next.closedAt, days).toISOString() : null,
      };
    },
  };
}
