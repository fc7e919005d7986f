/**
 * Access, over every endpoint of the OpenAPI document: each operation × each role × (a case of the person's
 * municipality / a case of another municipality / a case number that does not exist), and every operation
 * without a token, with a malformed, unknown, revoked or expired one. What each operation requires is one
 * explicit table below (ACCESS); an operation of the document missing from it fails the test, so that a new
 * endpoint cannot escape the matrix. Then: every token expires, and a remembered one is refused the moment
 * it does. The number of combinations checked goes to test-artifacts/access-matrix.json.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type { Response } from 'supertest';
import type Test from 'supertest/lib/test';
import { CASE_ACTION_ROUTES } from '../../api/features/applications/case-actions';
import { CASE_ACTIONS, mayPerform, rolesFor, STAFF_ROLES } from '../../domain/access';
import type { CaseAction, StaffRole } from '../../domain/access';
import { MUNICIPALITY_CODES } from '../../domain/municipalities';
import {
  DEFAULT_TOKEN_LIFETIME_DAYS,
  MAX_TOKEN_LIFETIME_DAYS,
  issueToken,
  newToken,
  revokeTokens,
  upsertStaffMember,
} from '../../adapters/db/staff';
import { intakeRequest } from '../helpers/fixtures';
import { expectConforms, OPENAPI_DOCUMENT } from '../helpers/openapi';
import { agentFor, createStaff, startStack } from '../helpers/stack';
import type { Stack, StaffSession } from '../helpers/stack';

const HOME = '08305';
const ELSEWHERE = '08096';
const DAY_MS = 86_400_000;

/** What a request of the matrix points at: a case, the municipality it names, a colleague to assign. */
interface Target {
  id: string;
  municipality: string;
  assignee: string;
}

/**
 * Where an operation reaches, which decides what another municipality's case (or municipality) answers:
 * - `case`: one case, in the path ({id}) or the body; another municipality's case answers 404, as one that
 *   does not exist.
 * - `case-query`: a case named in the query (?applicationId=); the same.
 * - `case-body`: cases listed in the body; each of another municipality's is `not_found`, as a missing one.
 * - `municipality`: a municipality the caller names (query or body): another one is 403 (nothing to hide).
 * - `own`: answers only about the person's own municipalities (or public reference data); names nothing.
 * - `office-wide`: only for people of every municipality (the Temporal UI's codec: any case's payloads).
 */
type Scope = 'case' | 'case-query' | 'case-body' | 'municipality' | 'own' | 'office-wide';

interface Guarded {
  /** The action of domain/access.ts the role must allow; `authenticated`: any staff member. */
  action: CaseAction | 'authenticated';
  scope: Scope;
  query?: (t: Target) => Record<string, string>;
  body?: (t: Target) => unknown;
}

interface Open {
  /** Why no staff token is asked for. */
  open: string;
}

const action = (path: string, permission: CaseAction, body: unknown): [string, Guarded] => [
  `POST /applications/{id}/${path}`,
  { action: permission, scope: 'case', body: () => body },
];

/** Every operation of the API: method and path template as in the OpenAPI document → what it requires. */
const ACCESS: Record<string, Guarded | Open> = {
  'GET /health': { open: 'liveness, for the orchestrator' },
  'GET /ready': { open: 'readiness, for the orchestrator' },
  'GET /metrics': { open: 'Prometheus; guarded by its own METRICS_TOKEN when one is configured' },
  'POST /webhooks/sms/receipts': { open: "the SMS gateway's receipts; guarded by their shared secret" },

  'POST /applications': {
    action: 'file',
    scope: 'municipality',
    body: (t) => intakeRequest({ municipalityCode: t.municipality as typeof HOME }),
  },
  'GET /applications': {
    action: 'read',
    scope: 'municipality',
    query: (t) => ({ municipality: t.municipality }),
  },
  'GET /applications/{id}': { action: 'read', scope: 'case' },
  'GET /applications/{id}/deadlines': { action: 'read', scope: 'case' },
  'GET /applications/{id}/history': { action: 'read', scope: 'case' },
  'GET /applications/{id}/notes': { action: 'read_notes', scope: 'case' },
  ...Object.fromEntries([
    action('documents', 'submit_documents', { documents: ['NOT_REQUESTED'] }),
    action('document-deadline-extension', 'extend_deadline', { days: 2 }),
    action('assessment', 'submit_assessment', { recommendation: 'grant', report: 'Informe social' }),
    action('proposal', 'propose', { outcome: 'refused', reasons: 'No compleix / No cumple' }),
    action('resolution', 'resolve', { approve: true }),
    action('notification', 'record_notification', { outcome: 'accepted', on: '2026-03-02' }),
    action('appeal', 'file_appeal', { grounds: 'No hi estic d’acord / No estoy de acuerdo' }),
    action('appeal-resolution', 'resolve_appeal', { upheld: false, reasons: 'Es manté / Se mantiene' }),
    action('justification', 'review_justification', { verdict: 'accepted' }),
    action('repayments', 'record_repayment', { amount: 10 }),
    action('payment-retry', 'retry_payment', {}),
    action('change-of-circumstances', 'report_change', {
      description: 'Nova feina / Nuevo trabajo',
      facts: { monthlyIncome: 900 },
    }),
    action('withdrawal', 'withdraw', { reason: 'Ja no ho necessito / Ya no lo necesito' }),
    action('retry-now', 'retry_step', {
      reason: 'El padró torna a funcionar / El padrón vuelve a funcionar',
    }),
    action('escalation', 'escalate', { reason: 'Sense subministraments / Sin suministros' }),
    action('cancellation', 'cancel', { reason: 'Sol·licitud duplicada / Solicitud duplicada' }),
  ]),
  'POST /applications/{id}/assignment': {
    action: 'reassign',
    scope: 'case',
    body: (t) => ({ assignee: t.assignee }),
  },

  'GET /me': { action: 'authenticated', scope: 'own' },
  'GET /audit': { action: 'read_audit', scope: 'case-query', query: (t) => ({ applicationId: t.id }) },
  'GET /audit/integrity': { action: 'read_audit', scope: 'own' },
  'POST /codec/decode': { action: 'oversee', scope: 'office-wide', body: () => ({ payloads: [] }) },
  'POST /codec/encode': { action: 'oversee', scope: 'office-wide', body: () => ({ payloads: [] }) },

  'GET /calendar/deadline': {
    action: 'authenticated',
    scope: 'own',
    query: () => ({ municipality: HOME, from: '2026-03-02', amount: '10', unit: 'business_days' }),
  },
  'GET /catalogue/{municipality}': { action: 'authenticated', scope: 'own' },

  'GET /coordination/stuck': {
    action: 'oversee',
    scope: 'municipality',
    query: (t) => ({ municipality: t.municipality }),
  },
  'GET /coordination/deadlines': {
    action: 'oversee',
    scope: 'municipality',
    query: (t) => ({ municipality: t.municipality }),
  },
  'GET /coordination/staff': { action: 'oversee', scope: 'own' },
  'GET /coordination/workload': { action: 'oversee', scope: 'own' },
  'GET /coordination/timeline/{id}': { action: 'read', scope: 'case' },
  // A healthy case is refused (409, not held) for those allowed: the matrix checks who gets that far.
  'POST /coordination/repairs': {
    action: 'repair',
    scope: 'case',
    body: (t) => ({ applicationId: t.id, reason: 'Cas encallat / Caso atascado' }),
  },
  'POST /coordination/reassignments': {
    action: 'reassign',
    scope: 'case-body',
    body: (t) => ({ applicationIds: [t.id], assignee: t.assignee, reason: 'Vacances / Vacaciones' }),
  },

  'GET /indicators': {
    action: 'oversee',
    scope: 'municipality',
    query: (t) => ({ municipality: t.municipality }),
  },
  'GET /indicators/aggregated': { action: 'oversee', scope: 'own' },

  // The person is named in the body; the export covers only the caller's municipalities (names no case).
  'POST /subject-access-requests': {
    action: 'export_personal_data',
    scope: 'own',
    body: () => ({ documentNumber: '12345678Z' }),
  },
};

/** Served outside the OpenAPI document, and open: the document itself and its page. */
const OPEN_UNDOCUMENTED = ['/openapi.json', '/docs', '/docs/init.js', '/favicon.ico'];

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
const operations = Object.entries(OPENAPI_DOCUMENT.paths ?? {}).flatMap(([template, item]) =>
  Object.entries(item as Record<string, { security?: unknown[] }>)
    .filter(([m]) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
    .map(([method, op]) => ({
      key: `${method.toUpperCase()} ${template}`,
      method: method as Method,
      template,
      documentedSecurity: (op.security?.length ?? 0) > 0,
    })),
);
const isOpen = (rule: Guarded | Open): rule is Open => 'open' in rule;

/** Every combination checked, by kind, for the report. */
const counted = { roleCombinations: 0, badTokenCombinations: 0, openChecks: 0 };
const operationsChecked = new Set<string>();
const rolesChecked = new Set<StaffRole>();
const targetsChecked = new Set<string>();

describe('access matrix', () => {
  let stack: Stack;
  /** Per role: a person of HOME only, and a person of every municipality (for office-wide operations). */
  const home = {} as Record<StaffRole, StaffSession>;
  const office = {} as Record<StaffRole, StaffSession>;
  let otherCase: string;
  // Numbers of a past year no test files under (each database numbers from a random point of the present one).
  const unused = () => `9${String(randomBytes(3).readUIntBE(0, 3) % 100_000).padStart(5, '0')}`;
  const missingOther = `${ELSEWHERE}-2020-${unused()}`;
  const missingOwn = `${HOME}-2020-${unused()}`;
  const badTokens: { name: string; authorization?: string }[] = [
    { name: 'no token' },
    { name: 'an empty bearer', authorization: 'Bearer ' },
    { name: 'another scheme', authorization: 'Basic dXNlcjpwYXNz' },
    { name: 'a malformed token', authorization: 'Bearer not-a-token' },
    { name: 'an unknown token', authorization: `Bearer ${newToken().token}` },
  ];

  beforeAll(async () => {
    // Hundreds of requests from one address in a minute: the rate limits are not what is tested here.
    stack = await startStack({
      app: { rateLimitPerMinute: 100_000 },
      payloadKeys: `k1:${randomBytes(32).toString('base64')}`,
    });
    for (const role of STAFF_ROLES) {
      home[role] = await stack.as(role, [HOME]);
      office[role] = await stack.as(role, MUNICIPALITY_CODES);
    }
    const elsewhere = await stack.as('coordinator', [ELSEWHERE]);
    const res = await elsewhere.api
      .post('/applications')
      .send(intakeRequest({ municipalityCode: ELSEWHERE }))
      .expect(201);
    otherCase = res.body.applicationId as string;

    const revoked = await createStaff(stack.db.prisma, 'coordinator', MUNICIPALITY_CODES);
    await agentFor(stack.app, revoked.token).get('/me').expect(200);
    await revokeTokens(stack.db.prisma, revoked.id);
    badTokens.push({ name: 'a revoked token', authorization: `Bearer ${revoked.token}` });
    const expired = await createStaff(stack.db.prisma, 'coordinator', MUNICIPALITY_CODES);
    const expiredToken = await issueToken(stack.db.prisma, expired.id, {
      expiresAt: new Date(Date.now() - 1000),
    });
    badTokens.push({ name: 'an expired token', authorization: `Bearer ${expiredToken}` });
  });

  afterAll(async () => {
    await stack?.stop();
    const dir = path.resolve(__dirname, '..', '..', 'test-artifacts');
    mkdirSync(dir, { recursive: true });
    const summary = {
      operations: operationsChecked.size,
      roles: rolesChecked.size,
      targets: [...targetsChecked].sort(),
      ...counted,
      total: counted.roleCombinations + counted.badTokenCombinations + counted.openChecks,
    };
    writeFileSync(path.join(dir, 'access-matrix.json'), `${JSON.stringify(summary, null, 2)}\n`);
  });

  it('has a rule for every operation of the OpenAPI document, and none for operations it does not have', () => {
    const documented = operations.map((o) => o.key);
    expect(documented.filter((k) => !(k in ACCESS))).toEqual([]);
    expect(Object.keys(ACCESS).filter((k) => !documented.includes(k))).toEqual([]);
  });

  it('agrees with the document on which operations need a staff token', () => {
    const disagreements = operations
      .filter((o) => isOpen(ACCESS[o.key]!) === o.documentedSecurity)
      .map((o) => o.key);
    expect(disagreements).toEqual([]);
  });

  it('names, for each case action, the permission the router enforces', () => {
    for (const route of CASE_ACTION_ROUTES) {
      const rule = ACCESS[`POST /applications/{id}/${route.path}`];
      expect(rule).toMatchObject({ action: route.permission, scope: 'case' });
    }
    for (const rule of Object.values(ACCESS)) {
      if (!isOpen(rule) && rule.action !== 'authenticated') expect(CASE_ACTIONS).toContain(rule.action);
    }
  });

  /** Sends the operation's request to `t` with the given Authorization header (none: no header). */
  function send(
    op: { method: Method; template: string },
    t: Target,
    authorization: string | undefined,
  ): Test {
    const rule = ACCESS[`${op.method.toUpperCase()} ${op.template}`]!;
    const url = op.template.replace('{id}', t.id).replace('{municipality}', HOME);
    let req = request(stack.app)[op.method](url);
    if (authorization !== undefined) req = req.set('authorization', authorization);
    if (!isOpen(rule) && rule.query) req = req.query(rule.query(t));
    if (op.method !== 'get') req = req.send((!isOpen(rule) && rule.body?.(t)) || {});
    return req;
  }

  /** The answer as a client tells it apart: status, type and the problem without the URL it echoes. */
  const visible = (res: Response, id?: string) => {
    const body = JSON.stringify({ ...(res.body as object), instance: undefined });
    return {
      status: res.status,
      type: String(res.headers['content-type'] ?? '').split(';')[0],
      body: id ? body.split(id).join('<id>') : body,
    };
  };

  const describeRes = (res: Response) => `${res.status} ${JSON.stringify(res.body).slice(0, 300)}`;

  it.each(operations)('$key', async (op) => {
    const rule = ACCESS[op.key];
    if (!rule) throw new Error(`${op.key} is not in the access table`);
    operationsChecked.add(op.key);
    const problems: string[] = [];
    const check = (ok: boolean, what: string, res: Response) => {
      if (!ok) problems.push(`${what}: got ${describeRes(res)}`);
      try {
        expectConforms(res);
      } catch (err) {
        problems.push(`${what}: ${(err as Error).message}`);
      }
    };

    // A case of the person's municipality, filed now so that earlier operations have not closed it.
    const coordinatorId = home.coordinator.id;
    const needsCase = !isOpen(rule) && ['case', 'case-query', 'case-body'].includes(rule.scope);
    const ownCase = needsCase
      ? ((
          await home.coordinator.api
            .post('/applications')
            .send(intakeRequest({ municipalityCode: HOME }))
            .expect(201)
        ).body.applicationId as string)
      : `${HOME}-2026-000001`;
    const own: Target = { id: ownCase, municipality: HOME, assignee: coordinatorId };
    const other: Target = { id: otherCase, municipality: ELSEWHERE, assignee: coordinatorId };
    const missing: Target = { id: missingOther, municipality: ELSEWHERE, assignee: coordinatorId };
    const missingHere: Target = { id: missingOwn, municipality: HOME, assignee: coordinatorId };

    if (isOpen(rule)) {
      const res = await send(op, own, undefined);
      counted.openChecks++;
      check(res.status !== 401 && res.status !== 403 && res.status < 500, 'open, without a token', res);
      expect(problems).toEqual([]);
      return;
    }

    for (const bad of badTokens) {
      const res = await send(op, own, bad.authorization);
      counted.badTokenCombinations++;
      check(
        res.status === 401 &&
          /^Bearer/.test(String(res.headers['www-authenticate'])) &&
          res.body.title === 'Not authenticated',
        `with ${bad.name}`,
        res,
      );
    }

    for (const role of STAFF_ROLES) {
      rolesChecked.add(role);
      const allowed = rule.action === 'authenticated' || mayPerform(role, rule.action);
      const as = (session: StaffSession, t: Target) =>
        send(op, t, `Bearer ${session.token}`).then((res) => {
          counted.roleCombinations++;
          return res;
        });
      const refusedForRole = (res: Response, what: string) =>
        check(
          res.status === 403 &&
            JSON.stringify(res.body.allowedRoles) === JSON.stringify(rolesFor(rule.action as CaseAction)),
          `${role}, ${what}: 403 naming the roles that may`,
          res,
        );
      const passes = (res: Response, what: string) =>
        check(![401, 403, 404].includes(res.status) && res.status < 500, `${role}, ${what}: allowed`, res);

      if (rule.scope === 'office-wide') {
        targetsChecked.add('office-wide person').add('person of one municipality');
        const everywhere = await as(office[role], own);
        const oneMunicipality = await as(home[role], own);
        if (allowed) passes(everywhere, 'a person of every municipality');
        else refusedForRole(everywhere, 'a person of every municipality');
        check(oneMunicipality.status === 403, `${role}, a person of one municipality: 403`, oneMunicipality);
        continue;
      }

      const mine = await as(home[role], own);
      targetsChecked.add('own municipality');
      if (allowed) passes(mine, 'own municipality');
      else refusedForRole(mine, 'own municipality');
      if (rule.scope === 'own') continue;

      const theirs = await as(home[role], other);
      targetsChecked.add('another municipality');
      if (rule.scope === 'municipality') {
        // The municipality is the caller's own input: refused, there is nothing to hide.
        check(theirs.status === 403, `${role}, another municipality: 403`, theirs);
        continue;
      }

      // Another municipality's case answers exactly as a case number that does not exist.
      const nowhere = await as(home[role], missing);
      targetsChecked.add('missing case');
      const a = visible(theirs, otherCase);
      const b = visible(nowhere, missingOther);
      if (JSON.stringify(a) !== JSON.stringify(b)) {
        problems.push(
          `${role}: another municipality's case answers ${JSON.stringify(a)}, a missing one ${JSON.stringify(b)}`,
        );
      }
      if (!allowed) {
        refusedForRole(theirs, 'another municipality');
        continue;
      }
      if (rule.scope === 'case-body') {
        check(
          theirs.status === 200 && theirs.body.items?.[0]?.outcome === 'not_found',
          `${role}, another municipality's case: not_found`,
          theirs,
        );
      } else {
        check(theirs.status === 404, `${role}, another municipality's case: 404`, theirs);
      }
      // And a missing case of the person's own municipality answers the same (a search finds nothing).
      const missingMine = await as(home[role], missingHere);
      targetsChecked.add('missing case of own municipality');
      if (rule.scope === 'case-query') passes(missingMine, 'a missing case of own municipality');
      else {
        const c = visible(missingMine, missingOwn);
        if (JSON.stringify(c) !== JSON.stringify(b)) {
          problems.push(
            `${role}: a missing case of the own municipality answers ${JSON.stringify(c)}, of another ${JSON.stringify(b)}`,
          );
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('leaves the document and its page open', async () => {
    for (const url of OPEN_UNDOCUMENTED) {
      const res = await request(stack.app).get(url);
      counted.openChecks++;
      expect([200, 204]).toContain(res.status);
    }
  });

  describe('tokens expire', () => {
    it('gives every token an expiry: the default lifetime, at most the longest', async () => {
      await upsertStaffMember(stack.db.prisma, {
        id: 'expiry-check',
        name: 'Expiry Check',
        role: 'auditor',
        municipalities: [HOME],
      });
      const now = new Date();
      await issueToken(stack.db.prisma, 'expiry-check', { label: 'default', now });
      await issueToken(stack.db.prisma, 'expiry-check', { label: 'short', lifetimeDays: 7, now });
      const rows = await stack.db.prisma.apiToken.findMany({ where: { staffId: 'expiry-check' } });
      const expiry = (label: string) => rows.find((r) => r.label === label)?.expiresAt?.getTime();
      expect(expiry('default')).toBe(now.getTime() + DEFAULT_TOKEN_LIFETIME_DAYS * DAY_MS);
      expect(expiry('short')).toBe(now.getTime() + 7 * DAY_MS);
      await expect(
        issueToken(stack.db.prisma, 'expiry-check', { lifetimeDays: MAX_TOKEN_LIFETIME_DAYS + 1 }),
      ).rejects.toThrow(RangeError);
      await expect(
        issueToken(stack.db.prisma, 'expiry-check', {
          expiresAt: new Date(now.getTime() + (MAX_TOKEN_LIFETIME_DAYS + 1) * DAY_MS),
          now,
        }),
      ).rejects.toThrow(RangeError);
    });

    it('expires a token stored without an expiry the longest lifetime after it was issued', async () => {
      const member = await createStaff(stack.db.prisma, 'auditor', [HOME]);
      const stored = async (createdAt: Date) => {
        const { id, token, hash } = newToken();
        await stack.db.prisma.apiToken.create({
          data: { id, staffId: member.id, tokenHash: hash, createdAt, expiresAt: null },
        });
        return token;
      };
      const recent = await stored(new Date(Date.now() - DAY_MS));
      const old = await stored(new Date(Date.now() - (MAX_TOKEN_LIFETIME_DAYS + 1) * DAY_MS));
      await agentFor(stack.app, recent).get('/me').expect(200);
      const res = await agentFor(stack.app, old).get('/me');
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    });

    it('refuses a remembered token as soon as it expires, not when the cache forgets it', async () => {
      let now = Date.now();
      const app = stack.appWith({
        tokenCacheSeconds: 300,
        tokenClock: () => new Date(now),
      });
      const member = await createStaff(stack.db.prisma, 'auditor', [HOME]);
      // The cache is in effect: a revocation waits for it (TOKEN_CACHE_SECONDS), as documented.
      const remembered = await issueToken(stack.db.prisma, member.id, { label: 'remembered' });
      await agentFor(app, remembered).get('/me').expect(200);
      await revokeTokens(stack.db.prisma, member.id);
      await agentFor(app, remembered).get('/me').expect(200);

      const expiring = await issueToken(stack.db.prisma, member.id, {
        expiresAt: new Date(now + 60_000),
        now: new Date(now),
      });
      await agentFor(app, expiring).get('/me').expect(200);
      now += 59_000;
      await agentFor(app, expiring).get('/me').expect(200);
      now += 1_000;
      const res = await agentFor(app, expiring).get('/me');
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    });
  });
});
