/**
 * The audit trail of the staff API: every read of a case and every action, with who, what, when, from
 * where and how it ended (the HTTP status, so refused attempts are there too). Handlers name the action and
 * the case with `noteAudit`; the middleware queues one row when the response is finished, and rows are
 * written together every few milliseconds (one insert for many requests under load; flushed on shutdown).
 */
import type { RequestHandler, Response } from 'express';
import type { Prisma, PrismaClient } from '../generated/prisma/client';
import type { Logger } from '../adapters/logger';
import { isDependencyUnavailable } from './errors';

interface AuditNote {
  action: string;
  applicationId?: string | undefined;
}

export function noteAudit(res: Response, action: string, applicationId?: string): void {
  res.locals.audit = { action, applicationId } satisfies AuditNote;
}

type AuditRow = Prisma.AuditEntryCreateManyInput;

/**
 * Writes audit rows in batches: at most `intervalMs` after a request, or as soon as `batch` are queued.
 * While the database is away (a restart, a failover) the rows wait in memory, up to `maxPending`, and are
 * written when it is back, with the time of their request.
 */
export function createAuditWriter({
  prisma,
  logger,
  intervalMs = 50,
  batch = 200,
  maxPending = 50_000,
  retryMs = 1000,
}: {
  prisma: PrismaClient;
  logger: Logger;
  intervalMs?: number;
  batch?: number;
  maxPending?: number;
  retryMs?: number;
}) {
  let queue: AuditRow[] = [];
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  let failures = 0;
  const schedule = (ms: number) => {
    timer ??= setTimeout(() => void flush(), ms);
  };
  const flush = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const rows = queue;
    queue = [];
    if (rows.length === 0) return writing;
    writing = writing.then(() =>
      prisma.auditEntry.createMany({ data: rows }).then(
        () => {
          if (failures > 0)
            logger.info({ rows: rows.length }, 'audit entries written after the database came back');
          failures = 0;
        },
        (err: unknown) => {
          if (isDependencyUnavailable(err) && rows.length + queue.length <= maxPending) {
            // Kept, in order, for when the database is back: 1 s, 2 s, ... up to 30 s between attempts.
            if (failures++ === 0)
              logger.warn({ err, rows: rows.length }, 'audit entries waiting for the database');
            queue = rows.concat(queue);
            schedule(Math.min(retryMs * 2 ** Math.min(failures - 1, 5), 30_000));
            return;
          }
          // The responses are gone; what is left is to make the gap loud, with what was not written.
          logger.error({ err, audit: rows }, `${rows.length} audit entries not written`);
        },
      ),
    );
    return writing;
  };
  return {
    write(row: AuditRow): void {
      queue.push(row);
      if (queue.length >= batch && failures === 0) void flush();
      else schedule(intervalMs);
    },
    /** Writes what is queued; the API calls it before it exits. */
    flush,
    /** Writes what is queued, once more; what cannot be written is logged with its rows (the API exits). */
    async close(): Promise<void> {
      await flush();
      if (timer) clearTimeout(timer);
      timer = undefined;
      if (queue.length > 0) {
        logger.error({ audit: queue }, `${queue.length} audit entries not written: the database is away`);
        queue = [];
      }
    },
  };
}

export type AuditWriter = ReturnType<typeof createAuditWriter>;

export function auditTrail({ audit }: { audit: AuditWriter }): RequestHandler {
  return (req, res, next) => {
    const at = new Date();
    res.once('finish', () => {
      const note = res.locals.audit as AuditNote | undefined;
      audit.write({
        at,
        staffId: req.staff?.id ?? null,
        action: note?.action ?? `${req.method} ${req.baseUrl}`,
        method: req.method,
        // The path only: query strings may carry personal data.
        path: req.originalUrl.split('?')[0] ?? req.path,
        applicationId: note?.applicationId ?? null,
        status: res.statusCode,
        ip: req.ip ?? null,
        requestId: typeof req.id === 'string' || typeof req.id === 'number' ? String(req.id) : null,
      });
    });
    next();
  };
}
