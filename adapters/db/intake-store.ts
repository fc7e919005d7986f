/**
 * What makes filing safe to repeat: intake requests by Idempotency-Key (the same key and body answer the
 * same application, whoever retries and however often), and household claims (one open application per
 * household and benefit). Both rest on primary keys, so concurrent duplicates are settled by PostgreSQL.
 */
import { createHash } from 'node:crypto';
import { Prisma } from '../../generated/prisma/client';
import type { PrismaClient } from '../../generated/prisma/client';

const UNIQUE_VIOLATION = 'P2002';

const isUniqueViolation = (err: unknown): boolean =>
  err instanceof Prisma.PrismaClientKnownRequestError && err.code === UNIQUE_VIOLATION;

/** A stable hash of a JSON body: keys sorted, so that the order of fields does not make another request. */
export function bodyHash(body: unknown): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
          )
        : v;
  return createHash('sha256')
    .update(JSON.stringify(canonical(body)))
    .digest('hex');
}

export type IntakeBegin =
  | { kind: 'new' }
  | { kind: 'done'; applicationId: string }
  | { kind: 'in_progress' }
  /** An earlier attempt allocated this number, but whether its case started is not known (markUncertain). */
  | { kind: 'uncertain'; applicationId: string }
  | { kind: 'different_body' };

/** Records that a filing with this key starts, or says what became of an earlier one. */
export async function beginIntake(
  prisma: PrismaClient,
  staffId: string,
  key: string,
  hash: string,
): Promise<IntakeBegin> {
  try {
    await prisma.intakeRequest.create({ data: { staffId, key, bodyHash: hash } });
    return { kind: 'new' };
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
  }
  const earlier = await prisma.intakeRequest.findUnique({ where: { staffId_key: { staffId, key } } });
  if (!earlier) return beginIntake(prisma, staffId, key, hash); // abandoned meanwhile: start afresh
  if (earlier.bodyHash !== hash) return { kind: 'different_body' };
  if (earlier.applicationId) return { kind: 'done', applicationId: earlier.applicationId };
  return earlier.uncertainApplicationId
    ? { kind: 'uncertain', applicationId: earlier.uncertainApplicationId }
    : { kind: 'in_progress' };
}

/**
 * The filing's workflow start answered an error and Temporal could not say whether the case started: the key
 * stays taken, remembering the number, so that a retry with it settles that case rather than filing another.
 */
export async function markUncertain(
  prisma: PrismaClient,
  staffId: string,
  key: string,
  applicationId: string,
): Promise<void> {
  await prisma.intakeRequest.updateMany({
    where: { staffId, key, applicationId: null },
    data: { uncertainApplicationId: applicationId },
  });
}

export async function completeIntake(
  prisma: PrismaClient,
  staffId: string,
  key: string,
  applicationId: string,
): Promise<void> {
  await prisma.intakeRequest.update({ where: { staffId_key: { staffId, key } }, data: { applicationId } });
}

/** A filing that failed before its workflow started: the key may be used again. */
export async function abandonIntake(prisma: PrismaClient, staffId: string, key: string): Promise<void> {
  await prisma.intakeRequest.deleteMany({ where: { staffId, key, applicationId: null } });
}

/**
 * Claims the household's documents for an application. Returns the open application that already holds one
 * of them, if any (nothing is claimed then). A claim left by a case that has closed is taken over; one the
 * application already holds (a retried filing of the same number) stays its own.
 */
export async function claimHousehold(
  prisma: PrismaClient,
  benefitCode: string,
  documents: string[],
  applicationId: string,
): Promise<string | undefined> {
  const unique = [...new Set(documents)].sort(); // a fixed order: concurrent claims cannot deadlock
  try {
    await prisma.$transaction(async (tx) => {
      for (const document of unique) {
        const held = await tx.householdClaim.findUnique({
          where: { benefitCode_document: { benefitCode, document } },
        });
        if (held?.applicationId === applicationId) continue;
        if (held) {
          const app = await tx.application.findUnique({
            where: { id: held.applicationId },
            select: { closedAt: true },
          });
          if (!app?.closedAt) throw new HouseholdTaken(held.applicationId);
          await tx.householdClaim.delete({ where: { benefitCode_document: { benefitCode, document } } });
        }
        await tx.householdClaim.create({ data: { benefitCode, document, applicationId } });
      }
    });
    return undefined;
  } catch (err) {
    if (err instanceof HouseholdTaken) return err.applicationId;
    if (isUniqueViolation(err)) {
      // Another filing claimed a document between our read and our write: it holds the household.
      const held = await prisma.householdClaim.findFirst({
        where: { benefitCode, document: { in: unique } },
      });
      if (held) return held.applicationId;
    }
    throw err;
  }
}

export async function releaseHousehold(prisma: PrismaClient, applicationId: string): Promise<void> {
  await prisma.householdClaim.deleteMany({ where: { applicationId } });
}

class HouseholdTaken extends Error {
  constructor(readonly applicationId: string) {
    super(`household already has application ${applicationId}`);
  }
}
