/**
 * Staff working cases over HTTP against the system's processes, as the office would during a fault: each
 * case is taken from filing to its payment order (granted) or its notified refusal, whatever the API answers
 * meanwhile. What a step needs is read from the case's status each time, so a step whose answer was lost in
 * a crash is never done twice: it shows in the status and the next step follows.
 */
import { randomUUID } from 'node:crypto';
import { dniFor } from '../../domain/identity';
import { officeDateOf } from '../../domain/dates';
import type { PrismaClient } from '../../adapters/db/prisma';
import { issueToken, upsertStaffMember } from '../../adapters/db/staff';

export const MUNICIPALITY = '08187';

export interface Office {
  apiUrl: string;
  /** Files and notifies. */
  administrative: string;
  /** Assesses and proposes. */
  proposer: string;
  /** Resolves (four eyes: not the proposer). */
  resolver: string;
  /** The coordinator whom escalations reach by email, and who watches the stuck cases. */
  coordinatorEmail: string;
  coordinator: string;
}

/** The office's staff for the fault tests, with tokens, in the system's database. */
export async function createOffice(prisma: PrismaClient, apiUrl: string): Promise<Office> {
  const people = [
    { id: 'fault-admin', role: 'administrative' as const },
    { id: 'fault-social-1', role: 'social_worker' as const },
    { id: 'fault-social-2', role: 'social_worker' as const },
    { id: 'fault-coordinator', role: 'coordinator' as const, email: 'coordinacio@ogps.example.cat' },
  ];
  const tokens: string[] = [];
  for (const p of people) {
    await upsertStaffMember(prisma, {
      id: p.id,
      name: `Fault ${p.role}`,
      role: p.role,
      municipalities: [MUNICIPALITY],
      ...(p.email ? { email: p.email } : {}),
    });
    tokens.push(await issueToken(prisma, p.id, { label: 'faults' }));
  }
  return {
    apiUrl,
    administrative: tokens[0]!,
    proposer: tokens[1]!,
    resolver: tokens[2]!,
    coordinatorEmail: people[3]!.email!,
    coordinator: tokens[3]!,
  };
}

/** What the API answered, for the tally: statuses seen, and transport errors (API down) by message. */
export interface Tally {
  statuses: Map<number, number>;
  transportErrors: number;
  /** 503s that came with Retry-After. */
  retryAfter: number;
  /** Answers saying the case is held by a failing workflow task. */
  heldAnswers: number;
  /** Held cases the coordinator repaired: why their task failed, where the run went back to, what ran again. */
  repairs: { applicationId: string; failure: unknown; resetToEventId: unknown; redone: unknown }[];
  /** Repairs refused or failed, with the answer. */
  repairsRefused: { applicationId: string; status: number; reason: unknown }[];
}

export function newTally(): Tally {
  return {
    statuses: new Map(),
    transportErrors: 0,
    retryAfter: 0,
    heldAnswers: 0,
    repairs: [],
    repairsRefused: [],
  };
}

/** How long `call` goes on retrying when its caller gives no deadline of its own (a filing). */
const CALL_PATIENCE_MS = 5 * 60_000;

/**
 * One request, repeated while the API answers 503 or cannot be reached (a fault under way), until `until`
 * (epoch ms): past it, the last answer is thrown, so that a test whose system never came back fails with what
 * it saw instead of waiting for Jest's own timeout.
 */
async function call(
  office: Office,
  tally: Tally,
  token: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
  until: number = Date.now() + CALL_PATIENCE_MS,
): Promise<{ status: number; body: Record<string, unknown> }> {
  let last = 'nothing';
  for (;;) {
    if (Date.now() > until) throw new Error(`${method} ${path}: past its deadline, last answer ${last}`);
    let res: Response;
    try {
      res = await fetch(`${office.apiUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(Math.max(1000, Math.min(120_000, until - Date.now()))),
      });
    } catch (err) {
      tally.transportErrors++;
      last = `transport error (${err instanceof Error ? err.message : String(err)})`;
      await new Promise((r) => setTimeout(r, 500));
      continue;
    }
    tally.statuses.set(res.status, (tally.statuses.get(res.status) ?? 0) + 1);
    const text = await res.text();
    // A case held by a failing workflow task answers 503 until an engineer repairs it: no use waiting.
    if (res.status === 503 && text.includes('"WorkflowTaskFailing"')) {
      tally.heldAnswers++;
      return { status: res.status, body: JSON.parse(text) as Record<string, unknown> };
    }
    if (res.status === 503) {
      if (res.headers.get('retry-after')) tally.retryAfter++;
      last = `503 ${text.slice(0, 200)}`;
      await new Promise((r) => setTimeout(r, 500));
      continue;
    }
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }
}

/** A full filing by a person with email and phone, so that the channels carry their alerts. */
export function filing(person: number) {
  return {
    municipalityCode: MUNICIPALITY,
    benefitCode: 'URGENCY_FOOD',
    applicant: {
      firstName: 'Persona',
      lastName: `Prova ${person}`,
      documentNumber: dniFor(person),
      language: 'ca',
      email: `persona.${person}@example.org`,
      phone: `+3461${String(person).slice(-7).padStart(7, '0')}`,
    },
    consent: { objections: [], taxConsent: true },
  };
}

/** Files through the API; retried with one Idempotency-Key, so a lost answer never files twice. */
export async function file(
  office: Office,
  tally: Tally,
  person: number,
  key: string = randomUUID(),
): Promise<string> {
  const res = await call(office, tally, office.administrative, 'POST', '/applications', filing(person), {
    'idempotency-key': key,
  });
  if (res.status !== 201) throw new Error(`filing ${person}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.applicationId as string;
}

/** `held`: the case's workflow task keeps failing and the coordinator's repair did not cure it. */
export type Outcome = 'paid' | 'refused' | 'held';

/** At most this many repairs of one case; a case that needs more is `held`. */
const MAX_REPAIRS = 3;

/**
 * What the coordinator does with a case held by a failing workflow task: a repair preview, then the repair
 * of what the preview planned. Whether it worked shows in the case's next reads.
 */
async function repair(office: Office, tally: Tally, id: string, deadline: number): Promise<boolean> {
  const body = { applicationId: id, reason: 'Expedient encallat / Expediente atascado' };
  const preview = await call(
    office,
    tally,
    office.coordinator,
    'POST',
    '/coordination/repairs',
    { ...body, preview: true },
    {},
    deadline,
  );
  const done =
    preview.status === 200
      ? await call(
          office,
          tally,
          office.coordinator,
          'POST',
          '/coordination/repairs',
          {
            ...body,
            preview: false,
            expected: { runId: preview.body.runId, resetToEventId: preview.body.resetToEventId },
          },
          {},
          deadline,
        )
      : preview;
  if (done.status !== 200) {
    tally.repairsRefused.push({
      applicationId: id,
      status: done.status,
      reason: done.body.reason ?? done.body,
    });
    return false;
  }
  tally.repairs.push({
    applicationId: id,
    failure: done.body.failure,
    resetToEventId: done.body.resetToEventId,
    redone: done.body.redone,
  });
  return true;
}

interface Status {
  state: string;
  eligibility?: { outcome?: string };
  proposal?: unknown;
  resolution?: { outcome?: string };
  notification?: { outcome?: string };
  payments?: { status: string }[];
  documentRequest?: { documents: { code: string; delivered: boolean }[] };
  escalation?: unknown;
}

/**
 * Takes one case to its end for this test: granted and its payment ordered, or refused and notified. Also
 * escalates it once (an email to the coordinators). Fails after `timeoutMs`. A case whose workflow task
 * keeps failing is repaired by the coordinator; if the repair is refused, or needed too often, it is `held`:
 * the caller decides what that means.
 */
export async function drive(office: Office, tally: Tally, id: string, timeoutMs: number): Promise<Outcome> {
  const deadline = Date.now() + timeoutMs;
  // Each action with a key of its own, as the API asks of its clients: an action that timed out (503 while
  // the case could not take it) is repeated by `call` with the same key and gets that action's outcome. Sent
  // again without one it was a second action: a case escalated twice, two emails to its coordinator.
  const act = (token: string, path: string, body: unknown) =>
    call(
      office,
      tally,
      token,
      'POST',
      `/applications/${id}/${path}`,
      body,
      { 'idempotency-key': `${path}-${randomUUID()}` },
      deadline,
    );
  let last = '';
  let repairs = 0;
  while (Date.now() < deadline) {
    const read = await call(
      office,
      tally,
      office.administrative,
      'GET',
      `/applications/${id}`,
      undefined,
      {},
      deadline,
    );
    if (read.body.rejection === 'WorkflowTaskFailing') {
      if (repairs++ >= MAX_REPAIRS || !(await repair(office, tally, id, deadline))) return 'held';
      continue;
    }
    if (read.status !== 200) throw new Error(`reading ${id}: ${read.status} ${JSON.stringify(read.body)}`);
    const s = read.body as unknown as Status;
    last = s.state;
    if (!s.escalation) await act(office.administrative, 'escalation', { reason: 'Revisió de prova' });
    switch (s.state) {
      case 'awaiting_documents': {
        const missing = s.documentRequest?.documents.filter((d) => !d.delivered).map((d) => d.code) ?? [];
        if (missing.length) await act(office.administrative, 'documents', { documents: missing });
        break;
      }
      case 'assessment': {
        // The social worker completes what the registries could not tell (birth date, income, savings). A
        // 409 means the report is already in (its answer was lost in a fault): the proposal follows.
        const assessed = await act(office.proposer, 'assessment', {
          recommendation: 'grant',
          report: 'Informe de prova',
          facts: { birthDate: '1980-01-01', monthlyIncome: 250, savings: 0 },
        });
        const after = assessed.status === 200 ? (assessed.body as unknown as Status) : s;
        const grant = after.eligibility?.outcome === 'eligible';
        await act(office.proposer, 'proposal', {
          outcome: grant ? 'granted' : 'refused',
          reasons: 'Motius de prova',
        });
        break;
      }
      case 'proposed':
        await act(office.resolver, 'resolution', { approve: true });
        break;
      case 'notifying':
        if (!s.notification?.outcome)
          await act(office.administrative, 'notification', {
            outcome: 'accepted',
            on: officeDateOf(new Date()),
          });
        break;
      default:
        break;
    }
    if (s.resolution?.outcome === 'refused' && s.notification?.outcome) return 'refused';
    if (s.payments?.length && s.payments.every((p) => p.status === 'paid')) return 'paid';
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${id} did not reach its end in ${timeoutMs} ms; last state ${last}`);
}
