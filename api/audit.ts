/**
 * The audit trail of the staff API: every read of a case and every action, with who, what, when, from
 * where and how it ended (the HTTP status, so refused attempts are there too). Handlers name the action and
 * the case with `noteAudit`.
 *
 * No personal data leaves without its record: a successful answer (status below 400) is held until its
 * audit rows are committed, and becomes a 503 when they cannot be (RGPD art. 5.2 accountability and ENS
 * op.exp.8, the record of users' activity). Rows are committed together (one insert for every answer
 * waiting while the previous insert ran). Refusals carry no personal data: their rows are queued, written
 * every few milliseconds, kept in memory while the database is away and flushed on shutdown.
 */
import type { RequestHandler, Response } from 'express';
import type { Prisma, PrismaClient } from '../generated/prisma/client';
import type { Logger } from '../adapters/logger';
import { isDependencyUnavailable } from './errors';

interface AuditNote {
  action: string;
  applicationId?: string | undefined;
  /** Further cases the answer discloses, one row each (a right-of-access export). */
  alsoCases?: readonly string[];
}

export function noteAudit(res: Response, action: string, applicationId?: string): void {
  res.locals.audit = { action, applicationId } satisfies AuditNote;
}

/** Names further cases the answer discloses: each gets its own row, committed before the answer leaves. */
export function noteAuditedCases(res: Response, applicationIds: readonly string[]): void {
  const note = res.locals.audit as AuditNote | undefined;
  res.locals.audit = {
    action: note?.action ?? 'read',
    ...note,
    alsoCases: applicationIds,
  } satisfies AuditNote;
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
  // Answers waiting for their rows: the next insert takes them all (group commit).
  let waiting: { rows: AuditRow[]; done: (err?: unknown) => void }[] = [];
  let committing = false;
  const commitWaiting = async (): Promise<void> => {
    committing = true;
    while (waiting.length > 0) {
      const group = waiting;
      waiting = [];
      try {
        await prisma.auditEntry.createMany({ data: group.flatMap((g) => g.rows) });
        for (const g of group) g.done();
      } catch (err) {
        for (const g of group) g.done(err);
      }
    }
    committing = false;
  };
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
    /**
     * Commits the rows of an answer about to leave; rejects when they cannot be committed (the answer is
     * then refused). Rows of concurrent answers share one insert.
     */
    commit(rows: AuditRow[]): Promise<void> {
      return new Promise<void>((resolve, reject) => {
        waiting.push({
          rows,
          done: (err) =>
            err === undefined
              ? resolve()
              : reject(err instanceof Error ? err : new Error('audit rows not committed', { cause: err })),
        });
        if (!committing) void commitWaiting();
      });
    },
    /** Queues the row of a refusal (no personal data in it): written soon, kept while the database is away. */
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

/** The answer that replaces one whose audit rows could not be committed. */
const UNRECORDED = JSON.stringify({
  type: 'about:blank',
  title: 'Service unavailable',
  status: 503,
  detail:
    "No s'ha pogut desar el registre d'aquest accés; no s'ha lliurat cap dada. Torneu-ho a provar d'aquí a uns segons. / No se ha podido guardar el registro de este acceso; no se ha entregado ningún dato. Vuelva a intentarlo en unos segundos.",
  rejection: 'AuditUnavailable',
});

export function auditTrail({ audit, logger }: { audit: AuditWriter; logger: Logger }): RequestHandler {
  return (req, res, next) => {
    const at = new Date();
    const row = (status: number, applicationId?: string | null): AuditRow => {
      const note = res.locals.audit as AuditNote | undefined;
      return {
        at,
        staffId: req.staff?.id ?? null,
        action: note?.action ?? `${req.method} ${req.baseUrl}`,
        method: req.method,
        // The path only: query strings may carry personal data.
        path: req.originalUrl.split('?')[0] ?? req.path,
        applicationId: applicationId === undefined ? (note?.applicationId ?? null) : applicationId,
        status,
        ip: req.ip ?? null,
        requestId: typeof req.id === 'string' || typeof req.id === 'number' ? String(req.id) : null,
      };
    };
    let committed = false;
    // Every way of answering (send, json, sendStatus, end) ends in `end`, before the status line is written.
    const end = res.end.bind(res) as (...args: unknown[]) => Response;
    res.end = ((...args: unknown[]) => {
      if (res.statusCode >= 400) return end(...args);
      const note = res.locals.audit as AuditNote | undefined;
      const rows = [row(res.statusCode), ...(note?.alsoCases ?? []).map((id) => row(res.statusCode, id))];
      audit.commit(rows).then(
        () => {
          committed = true;
          end(...args);
        },
        (err: unknown) => {
          logger.error({ err, audit: rows }, 'audit rows not committed: the answer is refused');
          if (res.headersSent) {
            // Part of a streamed answer has left: cut it, so that it is never complete without its record.
            res.destroy();
            return;
          }
          for (const header of ['ETag', 'Last-Modified', 'Content-Disposition']) res.removeHeader(header);
          res.statusCode = 503;
          res.setHeader('Retry-After', '5');
          res.setHeader('Cache-Control', 'no-store');
          res.setHeader('Content-Type', 'application/problem+json; charset=utf-8');
          res.setHeader('Content-Length', Buffer.byteLength(UNRECORDED));
          end(req.method === 'HEAD' ? undefined : UNRECORDED);
        },
      );
      return res;
    }) as typeof res.end;
    res.once('finish', () => {
      if (!committed) audit.write(row(res.statusCode));
    });
    next();
  };
}
