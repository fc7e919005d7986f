/**
 * The list of cases and the office's deadlines read one municipality at a time from their indexes and merge
 * the pages (services/applications.ts, services/coordination.ts). Over a seeded office of several
 * municipalities, every filter paged through with a small page size must give exactly what one plain query
 * over the whole scope gives, in the same order, each row once; and the counts must match.
 */
import type { Response } from 'supertest';
import { createProjectionActivities } from '../../activities/projection';
import { seedCases } from '../../bench/lib/growth-seed';
import { expectConforms } from '../helpers/openapi';
import { agentFor, startStack } from '../helpers/stack';
import { createCoordination } from '../../services/coordination';
import { loadReferenceData } from '../../adapters/reference-data';
import { DEFAULT_STUCK_THRESHOLDS } from '../../domain/stuck';
import { endOfWeek, officeDateOf } from '../../domain/dates';
import type { Stack, StaffSession } from '../helpers/stack';
import { CaseClient } from '../../adapters/temporal/case-client';

// Three of the seeded municipalities, not adjacent in code order, so that pages cross from one to the next.
const SCOPE = ['08022', '08305', '08112'] as const;

describe('office lists over several municipalities', () => {
  let stack: Stack;
  let coordinator: StaffSession;

  beforeAll(async () => {
    stack = await startStack();
    coordinator = await stack.as('coordinator', SCOPE);
    await seedCases(stack.db.prisma, 1, 700);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  async function pageThrough(
    path: string,
    query: Record<string, string>,
    key: (item: never) => string,
    api = coordinator.api,
  ) {
    const seen: string[] = [];
    const pages: Response[] = [];
    let first: Response | undefined;
    for (let cursor: string | null = null; pages.length === 0 || cursor;) {
      const res: Response = await api
        .get(path)
        .query({ ...query, limit: '7', ...(cursor ? { cursor } : {}) })
        .expect(200);
      expectConforms(res);
      first ??= res;
      expect(res.body.items.length).toBeLessThanOrEqual(7);
      seen.push(...(res.body.items as never[]).map(key));
      pages.push(res);
      cursor = res.body.nextCursor as string | null;
      if (pages.length > 400) throw new Error('the cursor does not advance');
    }
    return { seen, first: first!, pages };
  }

  it.each<[string, Record<string, string>, string]>([
    ['no filter', {}, 'TRUE'],
    ['state', { state: 'assessment' }, `state = 'assessment'`],
    ['benefit', { benefit: 'RENT' }, `benefit_code = 'RENT'`],
    ['assignee', { assignee: 'staff-7' }, `assignee = 'staff-7'`],
    ['blocked', { blocked: 'true' }, `blocked_on <> '{}'`],
    ['not blocked', { blocked: 'false' }, `blocked_on = '{}'`],
    ['deadline before', { deadlineBefore: '2099-01-01' }, `next_deadline <= '2099-01-01'`],
    [
      'two filters',
      { state: 'paying', benefit: 'SCHOOL_MEALS' },
      `state = 'paying' AND benefit_code = 'SCHOOL_MEALS'`,
    ],
  ])('pages the list with %s exactly as one query over the scope', async (_name, query, where) => {
    const expected = (
      await stack.db.prisma.$queryRawUnsafe<{ id: string }[]>(
        `SELECT id FROM application WHERE municipality_code = ANY($1) AND ${where} ORDER BY id`,
        [...SCOPE],
      )
    ).map((r) => r.id);
    expect(expected.length).toBeGreaterThan(0);
    const { seen } = await pageThrough(
      '/applications',
      query,
      (i: { applicationId: string }) => i.applicationId,
    );
    expect(seen).toEqual(expected);
  });

  it('pages one municipality, and a cursor from another municipality of the scope', async () => {
    const { seen } = await pageThrough(
      '/applications',
      { municipality: '08305' },
      (i: { applicationId: string }) => i.applicationId,
    );
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((id) => id.startsWith('08305-'))).toBe(true);
    // A cursor inside 08112 goes on there and then into 08305, skipping 08022 wholly before it.
    const cursor = Buffer.from('08112-2026-000300').toString('base64url');
    const res = await coordinator.api.get('/applications').query({ cursor, limit: 200 }).expect(200);
    const ids = (res.body.items as { applicationId: string }[]).map((i) => i.applicationId);
    expect(ids[0]! > '08112-2026-000300').toBe(true);
    expect(ids.some((id) => id.startsWith('08022-'))).toBe(false);
    expect(ids.some((id) => id.startsWith('08305-'))).toBe(true);
  });

  it.each<[string, Record<string, string>, string]>([
    ['every deadline', {}, 'TRUE'],
    ['overdue', { bucket: 'overdue' }, 'd.due_date < :today'],
    ['later', { bucket: 'later' }, `d.due_date > :weekEnd`],
    ['one kind', { kind: 'document_request' }, `d.kind = 'document_request'`],
  ])('pages the office’s deadlines (%s) exactly as one query over the scope', async (_name, query, where) => {
    // The office's today, not the database session's (UTC here): from 23:00 UTC they are different days.
    const officeToday = officeDateOf(new Date());
    const today = `DATE '${officeToday}'`;
    const expected = (
      await stack.db.prisma.$queryRawUnsafe<{ k: string }[]>(
        `SELECT to_char(d.due_date, 'YYYY-MM-DD') || ' ' || d.application_id || ' ' || d.kind AS k
           FROM application_deadline d JOIN application a ON a.id = d.application_id
          WHERE a.municipality_code = ANY($1) AND a.closed_at IS NULL AND d.paused_since IS NULL AND ${where.replace(':today', today).replace(':weekEnd', `DATE '${endOfWeek(officeToday)}'`)}
          ORDER BY d.due_date, d.application_id, d.kind`,
        [...SCOPE],
      )
    ).map((r) => r.k);
    expect(expected.length).toBeGreaterThan(0);
    const { seen, first } = await pageThrough(
      '/coordination/deadlines',
      query,
      (d: { dueDate: string; applicationId: string; kind: string }) =>
        `${d.dueDate} ${d.applicationId} ${d.kind}`,
    );
    expect(seen).toEqual(expected);
    const [counts] = await stack.db.prisma.$queryRawUnsafe<{ overdue: number; today: number }[]>(
      `SELECT count(*) FILTER (WHERE d.due_date < ${today})::int AS overdue,
              count(*) FILTER (WHERE d.due_date = ${today})::int AS today
         FROM application_deadline d JOIN application a ON a.id = d.application_id
        WHERE a.municipality_code = ANY($1) AND a.closed_at IS NULL AND d.paused_since IS NULL
          ${query.kind ? `AND d.kind = '${query.kind}'` : ''}`,
      [...SCOPE],
    );
    expect(first.body.counts).toEqual({ overdue: counts!.overdue, today: counts!.today, capped: false });
  });

  it.each<[string, Record<string, string>]>([
    ['no filter', {}],
    ['a common reason', { reason: 'idle' }],
    // About one open case in thirty of the seed has a task past its service level.
    ['a rare reason', { reason: 'task_overdue' }],
    ['a benefit', { benefit: 'RENT' }],
    ['an assignee', { assignee: 'staff-7' }],
    // A case with one finding old enough is shown with all of its findings.
    ['stuck for some days', { minDays: '12' }],
  ])(
    'pages the stuck cases (%s) reading a bounded number of cases each, exactly as one scan of the scope',
    async (_name, query) => {
      const BUDGET = 150;
      const scan = createCoordination({
        prisma: stack.db.prisma,
        cases: new CaseClient(stack.client, { taskQueue: 'office-lists' }),
        calendar: loadReferenceData().calendar,
        thresholds: DEFAULT_STUCK_THRESHOLDS,
      });
      if (query.minDays) {
        // A case idle for long, escalated just now: stuck long enough by one finding, shown with both.
        const idle = (await scan.stuck(SCOPE)).find((c) =>
          c.findings.some((f) => f.reason === 'idle' && Date.now() - Date.parse(f.since) >= 13 * 86_400_000),
        )!;
        await stack.db.prisma.applicationEvent.create({
          data: {
            applicationId: idle.applicationId,
            eventKey: `${idle.applicationId}:escalated:test`,
            type: 'escalated',
            actor: coordinator.id,
            detail: { note: 'Cal atendre-ho / Hay que atenderlo' },
            occurredAt: new Date(),
          },
        });
      }
      const now = Date.now();
      const expected = (await scan.stuck(SCOPE))
        .map((c) => ({
          ...c,
          findings: c.findings.filter((f) => !query.reason || f.reason === query.reason),
        }))
        .filter(
          (c) =>
            c.findings.length > 0 &&
            (!query.benefit || c.benefitCode === query.benefit) &&
            (!query.assignee || c.assignee === query.assignee) &&
            (!query.minDays ||
              c.findings.some((f) => now - Date.parse(f.since) >= Number(query.minDays) * 86_400_000)),
        )
        .map((c) => `${c.applicationId} ${c.findings.map((f) => f.reason).join(',')}`);
      expect(expected.length).toBeGreaterThan(0);
      const open = await stack.db.prisma.application.count({
        where: {
          municipalityCode: { in: [...SCOPE] },
          closedAt: null,
          ...(query.benefit ? { benefitCode: query.benefit } : {}),
          ...(query.assignee ? { assignee: query.assignee } : {}),
        },
      });
      const { seen, pages } = await pageThrough(
        '/coordination/stuck',
        query,
        (i: { applicationId: string; findings: { reason: string }[] }) =>
          `${i.applicationId} ${i.findings.map((f) => f.reason).join(',')}`,
        agentFor(stack.appWith({ stuckScanBudget: BUDGET }), coordinator.token),
      );
      expect(seen).toEqual(expected);
      const scanned = pages.map((p) => p.body.scanned as number);
      expect(Math.max(...scanned)).toBeLessThanOrEqual(BUDGET);
      // Every open case is read once, except those judged beyond a full page's last case, read again.
      expect(scanned.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(open);
      if (query.minDays) {
        // The escalated case is shown with its recent escalation beside the old finding.
        expect(seen.some((k) => /escalated/.test(k) && /idle/.test(k))).toBe(true);
      }
      if (query.reason === 'task_overdue') {
        // Few cases qualify: pages end because the budget ran out, short and with a next.
        expect(pages.some((p) => p.body.items.length < 7 && p.body.nextCursor)).toBe(true);
      }
    },
  );

  it.each(['/coordination/stuck', '/applications'])(
    'refuses a cursor of %s that is not one',
    async (path) => {
      // 'not-a-cursor', base64url: well formed, but no application number.
      const res = await coordinator.api.get(path).query({ cursor: 'bm90LWEtY3Vyc29y' }).expect(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'query.cursor' })]);
    },
  );

  it('does not list a closed case’s deadlines, nor a paused one', async () => {
    const [open] = await stack.db.prisma.$queryRawUnsafe<{ application_id: string; kind: string }[]>(
      `SELECT d.application_id, d.kind FROM application_deadline d
        WHERE d.municipality_code = '08305' ORDER BY d.due_date, d.application_id LIMIT 1`,
    );
    const [other] = await stack.db.prisma.$queryRawUnsafe<{ application_id: string; kind: string }[]>(
      `SELECT d.application_id, d.kind FROM application_deadline d
        WHERE d.municipality_code = '08022' ORDER BY d.due_date, d.application_id LIMIT 1`,
    );
    await stack.db.prisma.application.update({
      where: { id: open!.application_id },
      data: { closedAt: new Date() },
    });
    await stack.db.prisma.applicationDeadline.update({
      where: { applicationId_kind: { applicationId: other!.application_id, kind: other!.kind } },
      data: { pausedSince: new Date() },
    });
    const { seen } = await pageThrough(
      '/coordination/deadlines',
      {},
      (d: { applicationId: string; kind: string }) => `${d.applicationId} ${d.kind}`,
    );
    expect(seen.some((k) => k.startsWith(`${open!.application_id} `))).toBe(false);
    expect(seen).not.toContain(`${other!.application_id} ${other!.kind}`);
    expect(seen.length).toBeGreaterThan(0);
  });
  it('removes a case’s deadlines when it closes, so that the counts (read from the deadlines alone) drop it', async () => {
    const [overdue] = await stack.db.prisma.$queryRawUnsafe<
      { application_id: string; kind: string; due: string }[]
    >(
      `SELECT d.application_id, d.kind, to_char(d.due_date, 'YYYY-MM-DD') AS due FROM application_deadline d
        JOIN application a ON a.id = d.application_id
        WHERE d.municipality_code = '08112' AND d.due_date < current_date AND d.paused_since IS NULL
          AND a.state = 'awaiting_documents' ORDER BY d.application_id LIMIT 1`,
    );
    const id = overdue!.application_id;
    const count = async () =>
      (
        (await coordinator.api.get('/coordination/deadlines').query({ bucket: 'overdue' }).expect(200)).body
          .counts as { overdue: number }
      ).overdue;
    const before = await count();
    const running = await stack.db.prisma.applicationDeadline.count({
      where: { applicationId: id, dueDate: { lt: new Date(new Date().toISOString().slice(0, 10)) } },
    });
    const at = new Date().toISOString();
    // The closing view still lists a deadline (a view built as the case closed): none is written.
    await createProjectionActivities({ prisma: stack.db.prisma }).recordStep({
      transition: {
        applicationId: id,
        eventKey: `${id}:withdrawn`,
        type: 'withdrawn',
        from: 'awaiting_documents',
        to: 'withdrawn',
        at,
      },
      view: {
        applicationId: id,
        version: '9999',
        state: 'withdrawn',
        assignee: null,
        deadlines: [
          {
            kind: 'document_request',
            dueDate: overdue!.due,
            legalBasis: [{ law: 'Llei 39/2015', article: '68.1', ca: 'Esmena', es: 'Subsanación' }],
            provisional: false,
          },
        ],
        task: null,
        at,
      },
    });
    expect(await stack.db.prisma.applicationDeadline.count({ where: { applicationId: id } })).toBe(0);
    expect(running).toBeGreaterThan(0);
    expect(await count()).toBe(before - running);
  });
});
