/**
 * The citizen's right of access (GDPR art. 15): everything the office holds about a person (by DNI/NIE) in
 * the caller's municipalities: each case where they are the applicant, a household member or a registry
 * consultation's holder, with every row stored about it, the audit entries about it, and what Temporal holds
 * (the workflow's state, the application as filed, its live status). Anonymised cases hold nothing about the
 * person and are no longer found. The API audits every export, one row per case exported.
 */
import { Prisma } from '../generated/prisma/client';
import type { PrismaClient } from '../generated/prisma/client';
import type { CaseClient } from '../adapters/temporal/case-client';
import { statusQuery } from '../workflows/messages';

export interface SubjectAccessDeps {
  prisma: PrismaClient;
  cases: CaseClient;
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

/** The cases of the municipalities where the document appears, with how it appears in each. */
async function casesOf(deps: SubjectAccessDeps, document: string, municipalities: string[]) {
  const inMunicipalities = { municipalityCode: { in: municipalities } };
  const [asApplicant, asMember, asHolder, claimed] = await Promise.all([
    deps.prisma.application.findMany({
      where: { ...inMunicipalities, applicantDocument: document },
      select: { id: true },
    }),
    deps.prisma.applicationIntake.findMany({
      where: {
        application: inMunicipalities,
        household: { array_contains: [{ documentNumber: document }] },
      },
      select: { applicationId: true },
    }),
    deps.prisma.registryConsultation.findMany({
      where: { application: inMunicipalities, holderDocument: document },
      select: { applicationId: true },
      distinct: ['applicationId'],
    }),
    deps.prisma.householdClaim.findMany({ where: { document }, select: { applicationId: true } }),
  ]);
  const roles = new Map<string, Set<string>>();
  const add = (id: string, role: string) => roles.set(id, (roles.get(id) ?? new Set()).add(role));
  for (const a of asApplicant) add(a.id, 'applicant');
  for (const m of asMember) add(m.applicationId, 'household_member');
  for (const h of asHolder) add(h.applicationId, 'registry_holder');
  // A claim names a case by number only: kept when the case is of the caller's municipalities.
  const claimedHere = await deps.prisma.application.findMany({
    where: { ...inMunicipalities, id: { in: claimed.map((c) => c.applicationId) } },
    select: { id: true },
  });
  for (const c of claimedHere) add(c.id, 'household_claim');
  return [...roles.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([id, r]) => ({ id, roles: [...r] }));
}

/** What Temporal holds about the case: its state, the application as filed, and the live status. */
async function temporalSide(deps: SubjectAccessDeps, id: string) {
  const description = await deps.cases.describe(id);
  if (!description) return { status: 'NOT_FOUND' };
  const out: Record<string, unknown> = {
    status: description.status.name,
    runId: description.runId,
    startTime: description.startTime.toISOString(),
    ...(description.closeTime ? { closeTime: description.closeTime.toISOString() } : {}),
    historyLength: description.historyLength,
  };
  try {
    const history = await deps.cases.fetchHistory(id);
    out.input = await deps.cases.decodeInput(history);
    if (description.status.name === 'RUNNING') {
      // Bounded as a read of the case is: with no worker processing it, Temporal would hold the query
      // until its own deadline (30 s), for each such case of the person.
      const live = await deps.cases.tryRead(id, statusQuery);
      if ('value' in live) out.liveStatus = live.value;
      else
        out.problem = `live status not read: the case did not answer within ${live.timedOutAfterSeconds} s`;
    }
  } catch (err) {
    // A payload sealed with a key the API no longer holds, a query no worker answered: said, not fatal.
    out.problem = `not read from Temporal: ${err instanceof Error ? err.name : 'error'}`;
  }
  return out;
}

async function exportCase(deps: SubjectAccessDeps, id: string, roles: string[]) {
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
    deps.prisma.application.findUniqueOrThrow({ where: { id } }),
    deps.prisma.applicationIntake.findUnique({ where }),
    deps.prisma.applicationEvent.findMany({ where, orderBy: [{ occurredAt: 'asc' }, { id: 'asc' }] }),
    deps.prisma.applicationDeadline.findMany({ where, orderBy: { dueDate: 'asc' } }),
    deps.prisma.applicationTask.findUnique({ where }),
    deps.prisma.taskRecord.findMany({ where, orderBy: { id: 'asc' } }),
    deps.prisma.registryConsultation.findMany({ where, orderBy: { id: 'asc' } }),
    deps.prisma.registryConsent.findMany({ where, orderBy: { service: 'asc' } }),
    deps.prisma.notice.findMany({ where, orderBy: { createdAt: 'asc' } }),
    deps.prisma.noticeDelivery.findMany({ where, orderBy: { createdAt: 'asc' } }),
    deps.prisma.paymentOrder.findMany({ where, orderBy: { key: 'asc' } }),
    deps.prisma.professionalNote.findMany({ where, orderBy: { createdAt: 'asc' } }),
    deps.prisma.intakeRequest.findMany({ where, select: { staffId: true, createdAt: true } }),
    deps.prisma.householdClaim.findMany({ where }),
    deps.prisma.auditEntry.findMany({
      where,
      orderBy: { id: 'asc' },
      select: { at: true, staffId: true, action: true, method: true, path: true, status: true },
    }),
    temporalSide(deps, id),
  ]);
  return {
    applicationId: id,
    roles,
    includesOtherPeople: !roles.includes('applicant') || ((intake?.household as unknown[]) ?? []).length > 0,
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

/** The export of everything held about the person with `documentNumber` in these municipalities. */
export async function exportPersonalData(
  deps: SubjectAccessDeps,
  documentNumber: string,
  municipalities: string[],
) {
  const found = await casesOf(deps, documentNumber, municipalities);
  const cases = [];
  for (const c of found) cases.push(await exportCase(deps, c.id, c.roles));
  return { notice: NOTICE, cases };
}
