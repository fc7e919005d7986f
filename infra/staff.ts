/**
 * Staff members and their API tokens. A token is 32 random bytes shown once when issued; only its SHA-256
 * is stored, so a copy of the database does not hand out working credentials.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { PrismaClient } from '../generated/prisma/client';
import { STAFF_ROLES } from '../domain/access';
import type { StaffMember, StaffRole } from '../domain/access';
import type { MunicipalityCode } from '../domain/municipalities';

const TOKEN_PREFIX = 'ogps_';
const LAST_USED_RESOLUTION_MS = 5 * 60_000;

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

/** Issues a new token for a staff member; the returned value is the only copy of the token. */
export async function issueToken(
  prisma: PrismaClient,
  staffId: string,
  opts: { label?: string; expiresAt?: Date } = {},
): Promise<string> {
  const { id, token, hash } = newToken();
  await prisma.apiToken.create({
    data: {
      id,
      staffId,
      tokenHash: hash,
      label: opts.label ?? null,
      expiresAt: opts.expiresAt ?? null,
    },
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
  if (!looksLikeToken(token)) return undefined;
  const found = await prisma.apiToken.findUnique({
    where: { tokenHash: hashToken(token) },
    include: { staff: true },
  });
  if (!found || found.revokedAt || (found.expiresAt && found.expiresAt <= now) || !found.staff.active) {
    return undefined;
  }
  // Bookkeeping for revoking unused tokens, written at most every few minutes rather than on every request.
  if (!found.lastUsedAt || now.getTime() - found.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await prisma.apiToken.update({ where: { id: found.id }, data: { lastUsedAt: now } });
  }
  const role = found.staff.role;
  if (!(STAFF_ROLES as readonly string[]).includes(role)) return undefined;
  return {
    id: found.staff.id,
    name: found.staff.name,
    role: role as StaffRole,
    municipalities: found.staff.municipalities as MunicipalityCode[],
  };
}
