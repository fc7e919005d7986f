/**
 * Authentication (API tokens, stored hashed) and authorisation (role × municipality, domain/access.ts).
 * A case of a municipality the person does not work for answers 404, like a case that does not exist, so
 * that case numbers cannot be probed.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { mayPerform, municipalityOfApplication, rolesFor, worksFor } from '../domain/access';
import type { CaseAction, StaffMember } from '../domain/access';
import { MemoryStore, ipKeyGenerator } from 'express-rate-limit';
import type { Options } from 'express-rate-limit';
import LRUCache from 'lru-cache';
import type { PrismaClient } from '../generated/prisma/client';
import { hashToken, tokenHolder } from '../adapters/db/staff';
import { AppError } from '../domain/errors';

declare module 'express-serve-static-core' {
  interface Request {
    /** The authenticated staff member (set by `authenticate`). */
    staff?: StaffMember;
  }
}

/**
 * Resolves the bearer token to its staff member. Answers are kept for `cacheSeconds` (by the token's hash,
 * never the token), so a busy person's requests do not each cost a lookup: a revoked token, or a changed
 * role, takes effect within that time (0: on the next request). An expired one takes effect at once: a
 * remembered answer is not used past its token's expiry.
 */
export function authenticate({
  prisma,
  cacheSeconds = 0,
  clock = () => new Date(),
  failures,
}: {
  prisma: PrismaClient;
  cacheSeconds?: number;
  /** The time tokens are checked against; the system clock by default (tests move it). */
  clock?: () => Date;
  /**
   * Counts failed authentications per address; past its limit a failure answers 429 with Retry-After
   * instead of 401, which slows down guessing tokens. A valid token is never held back by it.
   */
  failures?: FailedAuthentications | undefined;
}): RequestHandler {
  const cache =
    cacheSeconds > 0
      ? new LRUCache<string, { staff: StaffMember; expiresAt: number } | { staff: null }>({
          max: 10_000,
          ttl: cacheSeconds * 1000,
        })
      : undefined;
  const lookup = async (token: string): Promise<StaffMember | undefined> => {
    const now = clock();
    if (!cache) return (await tokenHolder(prisma, token, now))?.staff;
    const key = hashToken(token);
    const hit = cache.get(key);
    if (hit && (hit.staff === null || hit.expiresAt > now.getTime())) return hit.staff ?? undefined;
    const found = await tokenHolder(prisma, token, now);
    cache.set(key, found ? { staff: found.staff, expiresAt: found.expiresAt.getTime() } : { staff: null });
    return found?.staff;
  };
  const refuse = (req: Request, next: NextFunction, detail: string): void => {
    if (!failures) return next(AppError.unauthorized(detail));
    failures.hit(req.ip ?? 'unknown').then(
      (retryAfterSeconds) =>
        next(retryAfterSeconds ? AppError.tooManyRequests(retryAfterSeconds) : AppError.unauthorized(detail)),
      (err: unknown) => next(err),
    );
  };
  return (req: Request, _res: Response, next: NextFunction) => {
    const header = req.get('authorization');
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match?.[1]) return refuse(req, next, 'Send an API token: Authorization: Bearer <token>');
    lookup(match[1]).then(
      (staff) => {
        if (!staff) return refuse(req, next, 'The token is unknown, expired or revoked');
        req.staff = staff;
        next();
      },
      (err: unknown) => next(err),
    );
  };
}

/** Failed authentications per address, counted in a window: `hit` says how long to wait once past the limit. */
export interface FailedAuthentications {
  /** Counts a failure of `address`; the seconds to wait when past the limit, else undefined. */
  hit(address: string): Promise<number | undefined>;
}

/** `limit` failed authentications per address per minute, counted by express-rate-limit's memory store. */
export function failedAuthentications(limit: number): FailedAuthentications {
  const windowMs = 60_000;
  const store = new MemoryStore();
  store.init({ windowMs } as Options);
  return {
    async hit(address) {
      const { totalHits, resetTime } = await store.increment(ipKeyGenerator(address));
      if (totalHits <= limit) return undefined;
      return Math.max(1, Math.ceil(((resetTime?.getTime() ?? Date.now() + windowMs) - Date.now()) / 1000));
    },
  };
}

/** The authenticated staff member; a route behind `authenticate` always has one. */
export function staffOf(req: Request): StaffMember {
  if (!req.staff) throw AppError.unauthorized('Not authenticated');
  return req.staff;
}

/** Refuses an action the person's role does not allow (403, naming the roles that may). */
export function authorize(req: Request, action: CaseAction): StaffMember {
  const staff = staffOf(req);
  if (!mayPerform(staff.role, action)) {
    throw AppError.forbidden(`The ${staff.role} role may not ${action.replace(/_/g, ' ')}`, rolesFor(action));
  }
  return staff;
}

/** Authorises an action on one case: the role must allow it and the case must be of the person's municipalities. */
export function authorizeCase(req: Request, action: CaseAction, applicationId: string): StaffMember {
  const staff = authorize(req, action);
  if (!worksFor(staff, municipalityOfApplication(applicationId)))
    throw AppError.notFound('No such application');
  return staff;
}

/** Authorises an action in a municipality (filing): 403, since the municipality is the caller's own input. */
export function authorizeMunicipality(
  req: Request,
  action: CaseAction,
  municipalityCode: string,
): StaffMember {
  const staff = authorize(req, action);
  if (!worksFor(staff, municipalityCode)) {
    throw AppError.forbidden(`You do not work for municipality ${municipalityCode}`);
  }
  return staff;
}
