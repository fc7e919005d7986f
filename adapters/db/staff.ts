/**
 * Staff members and their API tokens. A token is 32 random bytes shown once when issued; only its SHA-256
 * is stored, so a copy of the database does not hand out working credentials.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { PrismaClient } from '../../generated/prisma/client';
import { STAFF_ROLES } from '../../domain/access';
import type { StaffMember, StaffRole } from '../../domain/access';
import type { MunicipalityCode } from '../../domain/municipalities';

const TOKEN_PREFIX = 'ogps_';
const LAST_USED_RESOLUTION_MS = 5 * 60_000;
const DAY_MS = 86_400_000;

/** Every token expires: this many days after it is issued unless a lifetime is given (TOKEN_LIFETIME_DAYS). */
export const DEFAULT_TOKEN_LIFETIME_DAYS = 90;
/**
 * The longest a token may live. A token stored without an expiry (issued before every token had one)
 * expires this long after it was issued.
 */
export const MAX_TOKEN_LIFETIME_DAYS = 365;

/** When a token issued at `issuedAt` for `days` days expires. */
export function tokenExpiry(issuedAt: Date, days: number = DEFAULT_TOKEN_LIFETIME_DAYS): Date {
  return new Date(issuedAt.getTime() + days * DAY_MS);
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function looksLikeToken(value: string): boolean {
  return value.startsWith(TOKEN_PREFIX) && value.length > TOKEN_PREFIX.length + 20 && value.length < 200;
}

export async function upsertStaffMember(
  prisma: PrismaClient,
  member: StaffMember & { nif?: string | undefined; email?: string | undefined },
): Promise<void> {
  const data = {
    name: member.name,
    role: member.role,
    municipalities: [...member.municipalities],
    nif: member.nif ?? null,
    email: member.email ?? null,
    active: true,
  };
  await prisma.staffMember.upsert({
    where: { id: member.id },
    create: { id: member.id, ...data },
    update: data,
  });
}

/** A fresh token and the hash that is stored for it. */
export function newToken(): { id: string; token: string; hash: string } {
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { id: randomUUID(), token, hash: hashToken(token) };
}

/**
 * Issues a new token for a staff member; the returned value is the only copy of the token. It expires at
 * `expiresAt`, or `lifetimeDays` (by default DEFAULT_TOKEN_LIFETIME_DAYS) after `now`; never later than
 * MAX_TOKEN_LIFETIME_DAYS.
 */
export async function issueToken(
  prisma: PrismaClient,
  staffId: string,
  opts: { label?: string; expiresAt?: Date; lifetimeDays?: number; now?: Date } = {},
): Promise<string> {
  const now = opts.now ?? new Date();
  const expiresAt = opts.expiresAt ?? tokenExpiry(now, opts.lifetimeDays);
  if (!(expiresAt.getTime() <= tokenExpiry(now, MAX_TOKEN_LIFETIME_DAYS).getTime())) {
    throw new RangeError(`A token lives at most ${MAX_TOKEN_LIFETIME_DAYS} days`);
  }
  const { id, token, hash } = newToken();
  await prisma.apiToken.create({
    data: { id, staffId, tokenHash: hash, label: opts.label ?? null, expiresAt },
  });
  return token;
}

/** Revokes every token of a staff member; returns how many were active. */
export async function revokeTokens(prisma: PrismaClient, staffId: string, now = new Date()): Promise<number> {
  const { count } = await prisma.apiToken.updateMany({
    where: { staffId, revokedAt: null },
    data: { revokedAt: now },
  });
  return count;
}

/** The active staff member a token belongs to, or undefined for an unknown, revoked or expired token. */
export async function staffForToken(
  prisma: PrismaClient,
  token: string,
  now = new Date(),
): Promise<StaffMember | undefined> {
  return (await tokenHolder(prisma, token, now))?.staff;
}

/**
 * The active staff member a token belongs to and when the token expires (so that whoever remembers the
 * answer stops at that moment), or undefined for an unknown, revoked or expired token.
 */
export async function tokenHolder(
  prisma: PrismaClient,
  token: string,
  now = new Date(),
): Promise<{ staff: StaffMember; expiresAt: Date } | undefined> {
  if (!looksLikeToken(token)) return undefined;
  const found = await prisma.apiToken.findUnique({
    where: { tokenHash: hashToken(token) },
    include: { staff: true },
  });
  if (!found) return undefined;
  const expiresAt = found.expiresAt ?? tokenExpiry(found.createdAt, MAX_TOKEN_LIFETIME_DAYS);
  if (found.revokedAt || expiresAt <= now || !found.staff.active) return undefined;
  // Bookkeeping for revoking unused tokens, written at most every few minutes rather than on every request.
  if (!found.lastUsedAt || now.getTime() - found.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await prisma.apiToken.update({ where: { id: found.id }, data: { lastUsedAt: now } });
  }
  const role = found.staff.role;
  if (!(STAFF_ROLES as readonly string[]).includes(role)) return undefined;
  return {
    staff: {
      id: found.staff.id,
      name: found.staff.name,
      role: role as StaffRole,
      municipalities: found.staff.municipalities as MunicipalityCode[],
    },
    expiresAt,
  };
}

/** Whether `staffId` is an active staff member of `municipalityCode` (who a case may be assigned to). */
export async function isActiveStaffOf(
  prisma: PrismaClient,
  staffId: string,
  municipalityCode: string,
): Promise<boolean> {
  const member = await prisma.staffMember.findUnique({ where: { id: staffId } });
  return !!member?.active && member.municipalities.includes(municipalityCode);
}
