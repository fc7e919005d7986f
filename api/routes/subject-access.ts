/**
 * The citizen's right of access (GDPR art. 15): `POST /subject-access-requests` with the person's DNI/NIE in
 * the body (never in the URL: URLs end up in proxies' and browsers' logs) answers everything the office
 * holds about that person in the caller's municipalities: each case where they are the applicant, a
 * household member or a registry consultation's holder, with every row stored about it, the audit entries
 * about it, and what Temporal holds (the workflow's state, the application as filed, its live status).
 *
 * Every export is audited: the request's own row (action `export_personal_data`, no document number: the
 * audit trail is append-only and outlives the retention period), and one row per case exported, so the trail
 * says which cases left the office and who took them. Anonymised cases hold nothing about the person and are
 * no longer found.
 */
import { Router } from 'express';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Client } from '@temporalio/client';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import { Prisma } from '../../generated/prisma/client';
import type { PrismaClient } from '../../generated/prisma/client';
import { statusQuery } from '../../workflows/messages';
import type { AuditWriter } from '../audit';
import { noteAudit } from '../audit';
import { authorize } from '../auth';
import { DEFAULT_CASE_READ_TIMEOUT_SECONDS, failedOnQueryBound } from '../errors';
import { subjectAccessRequest } from '../schemas';
import { parseRequest } from '../validate';

export interface SubjectAccessDeps {
  prisma: PrismaClient;
  temporal: Client;
  audit: AuditWriter;
  /** Seconds a case's live status may take to answer (CASE_READ_TIMEOUT_SECONDS); 10 by default. */
  caseReadTimeoutSeconds?: number | undefined;
}

const NOTICE = {
  ca:
    'Totes les dades que l’oficina conserva sobre aquesta persona als vostres municipis (RGPD art. 15). ' +
    'Els expedients on és membre de la unitat familiar contenen dades d’altres persones: reviseu-los abans de lliurar-los (art. 15.4).',
  es:
    'Todos los datos que la oficina conserva sobre esta persona en sus municipios (RGPD art. 15). ' +
    'Los expedientes donde es miembro de la unidad familiar contienen datos de otras personas: revíselos antes de entregarlos (art. 15.4).',
};

/** A row as JSON: dates as ISO strings, decimals and big integers as numbers, bytes as hex. */
function plain(value: unknown): unknown {
  if (value === null || value === undefined) return value ?? null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (Array.isArray(value)) return value.map(plain);
  if (value instanceof Prisma.Decimal) return value.toNumber();
  if (typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}
const rows = (list: readonly object[]) => list.map((r) => plain(r) as Record<string, unknown>);

export function createSubjectAccessRouter(deps: SubjectAccessDeps): Router {
  const router = Router();
  const { prisma } = deps;

  /** The cases of the municipalities where the document appears, with how it appears in each. */
  async function casesOf(document: string, municipalities: string[]) {
    const inMunicipalities = { municipalityCode: { in: municipalities } };
    const [asApplicant, asMember, asHolder, claimed] = await Promise.all([
      prisma.application.findMany({
        where: { ...inMunicipalities, applicantDocument: document },
        select: { id: true },
      }),
      prisma.applicationIntake.findMany({
        where: {
          application: inMunicipalities,
          household: { array_contains: [{ documentNumber: document }] },
        },
        select: { applicationId: true },
      }),
      prisma.registryConsultation.findMany({
        where: { application: inMunicipalities, holderDocument: document },
        select: { applicationId: true },
        distinct: ['applicationId'],
      }),
      prisma.householdClaim.findMany({ where: { document }, select: { applicationId: true } }),
    ]);
    const roles = new Map<string, Set<string>>();
    const add = (id: string, role: string) => roles.set(id, (roles.get(id) ?? new Set()).add(role));
    for (const a of asApplicant) add(a.id, 'applicant');
    for (const m of asMember) add(m.applicationId, 'household_member');
    for (const h of asHolder) add(h.applicationId, 'registry_holder');
    // A claim names a case by number only: kept when the case is of the caller's municipalities.
    const claimedHere = await prisma.application.findMany({
      where: { ...inMunicipalities, id: { in: claimed.map((c) => c.applicationId) } },
      select: { id: true },
    });
    for (const c of claimedHere) add(c.id, 'household_claim');
    return [...roles.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([id, r]) => ({ id, roles: [...r] }));
  }

  /** What Temporal holds about the case: its state, the application as filed, and the live status. */
  async function temporalSide(id: string) {
    const handle = deps.temporal.workflow.getHandle(id);
    let description;
    try {
      description = await handle.describe();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return { status: 'NOT_FOUND' };
      throw err;
    }
    const out: Record<string, unknown> = {
      status: description.status.name,
      runId: description.runId,
      startTime: description.startTime.toISOString(),
      ...(description.closeTime ? { closeTime: description.closeTime.toISOString() } : {}),
      historyLength: description.historyLength,
    };
    try {
      const history = await handle.fetchHistory();
      const payloads =
        history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? undefined;
      out.input = await decodeFromPayloadsAtIndex(deps.temporal.options.loadedDataConverter, 0, payloads);
      if (description.status.name === 'RUNNING') {
        // Bounded as a read of the case is: with no worker processing it, Temporal would hold the query
        // until its own deadline (30 s), for each such case of the person.
        const seconds = deps.caseReadTimeoutSeconds ?? DEFAULT_CASE_READ_TIMEOUT_SECONDS;
        const deadline = Date.now() + seconds * 1000;
        try {
          out.liveStatus = await deps.temporal.connection.withDeadline(deadline, () =>
            handle.query(statusQuery),
          );
        } catch (err) {
          if (!failedOnQueryBound(err, deadline)) throw err;
          out.problem = `live status not read: the case did not answer within ${seconds} s`;
        }
      }
    } catch (err) {
      // A payload sealed with a key the API no longer holds, a query no worker answered: said, not fatal.
      out.problem = `not read from Temporal: ${err instanceof Error ? err.name : 'error'}`;
    }
    return out;
  }

  async function exportCase(id: string, roles: string[]) {
    const where = { applicationId: id };
    const [
      application,
      intake,
      events,
      deadlines,
      task,
      tasks,
      consultations,
      consents,
      notices,
      deliveries,
      payments,
      notes,
      intakeRequests,
      claims,
      audit,
      temporal,
    ] = await Promise.all([
      prisma.application.findUniqueOrThrow({ where: { id } }),
      prisma.applicationIntake.findUnique({ where }),
      prisma.applicationEvent.findMany({ where, orderBy: [{ occurredAt: 'asc' }, { id: 'asc' }] }),
      prisma.applicationDeadline.findMany({ where, orderBy: { dueDate: 'asc' } }),
      prisma.applicationTask.findUnique({ where }),
      prisma.taskRecord.findMany({ where, orderBy: { id: 'asc' } }),
      prisma.registryConsultation.findMany({ where, orderBy: { id: 'asc' } }),
      prisma.registryConsent.findMany({ where, orderBy: { service: 'asc' } }),
      prisma.notice.findMany({ where, orderBy: { createdAt: 'asc' } }),
      prisma.noticeDelivery.findMany({ where, orderBy: { createdAt: 'asc' } }),
      prisma.paymentOrder.findMany({ where, orderBy: { key: 'asc' } }),
      prisma.professionalNote.findMany({ where, orderBy: { createdAt: 'asc' } }),
      prisma.intakeRequest.findMany({ where, select: { staffId: true, createdAt: true } }),
      prisma.householdClaim.findMany({ where }),
      prisma.auditEntry.findMany({
        where,
        orderBy: { id: 'asc' },
        select: { at: true, staffId: true, action: true, method: true, path: true, status: true },
      }),
      temporalSide(id),
    ]);
    return {
      applicationId: id,
      roles,
      includesOtherPeople:
        !roles.includes('applicant') || ((intake?.household as unknown[]) ?? []).length > 0,
      application: plain(application) as Record<string, unknown>,
      filed: intake ? (plain(intake) as Record<string, unknown>) : null,
      timeline: rows(events),
      deadlines: rows(deadlines),
      task: task ? (plain(task) as Record<string, unknown>) : null,
      tasks: rows(tasks),
      registryConsultations: rows(consultations),
      registryConsents: rows(consents),
      notices: rows(notices),
      noticeDeliveries: rows(deliveries),
      paymentOrders: rows(payments),
      professionalNotes: rows(notes),
      intakeRequests: rows(intakeRequests),
      householdClaims: rows(claims),
      audit: rows(audit),
      temporal,
    };
  }

  router.post('/', async (req, res) => {
    noteAudit(res, 'export_personal_data');
    const { body } = parseRequest(subjectAccessRequest, req);
    const staff = authorize(req, 'export_personal_data');
    const municipalities = [...staff.municipalities];
    const found = await casesOf(body.documentNumber, municipalities);
    const cases = [];
    for (const c of found) cases.push(await exportCase(c.id, c.roles));
    // Which cases left the office, and to whom: one audit row each (the request's own row is written too).
    const at = new Date();
    for (const c of cases) {
      deps.audit.write({
        at,
        staffId: staff.id,
        action: 'export_personal_data',
        method: req.method,
        path: req.originalUrl.split('?')[0] ?? req.path,
        applicationId: c.applicationId,
        status: 200,
        ip: req.ip ?? null,
        requestId: typeof req.id === 'string' || typeof req.id === 'number' ? String(req.id) : null,
      });
    }
    res.setHeader('cache-control', 'no-store');
    res.json({
      documentNumber: body.documentNumber,
      generatedAt: at.toISOString(),
      generatedBy: staff.id,
      municipalities,
      notice: NOTICE,
      cases,
    });
  });

  return router;
}
