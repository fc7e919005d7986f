/**
 * The audit trail of the staff API: every read of a case and every action, with who, what, when, from
 * where and how it ended (the HTTP status, so refused attempts are there too). Handlers name the action and
 * the case with `noteAudit`; the middleware writes one row when the response is finished.
 */
import type { RequestHandler, Response } from 'express';
import type { PrismaClient } from '../generated/prisma/client';
import type { Logger } from '../infra/logger';

interface AuditNote {
  action: string;
  applicationId?: string | undefined;
}

export function noteAudit(res: Response, action: string, applicationId?: string): void {
  res.locals.audit = { action, applicationId } satisfies AuditNote;
}

export function auditTrail({ prisma, logger }: { prisma: PrismaClient; logger: Logger }): RequestHandler {
  return (req, res, next) => {
    const at = new Date();
    res.once('finish', () => {
      const note = res.locals.audit as AuditNote | undefined;
      const entry = {
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
      };
      prisma.auditEntry.create({ data: entry }).catch((err: unknown) => {
        // The response is gone; what is left is to make the gap loud.
        logger.error({ err, audit: { ...entry, at: at.toISOString() } }, 'audit entry not written');
      });
    });
    next();
  };
}
