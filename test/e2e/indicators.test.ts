/**
 * The office's indicators over HTTP: seeded cases with known outcomes and dates give every indicator as
 * computed by hand (test/fixtures/indicator-cases.ts); the CSV export carries the same figures; the
 * Diputació's export holds no personal data and withholds small counts; access follows roles and
 * municipalities; and a case filed through the API counts as soon as its workflow has registered it.
 */
import { mkdirSync } from 'node:fs';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { officeDateOf } from '../../domain/dates';
import { INDICATORS, INDICATOR_IDS } from '../../domain/indicators';
import { launchBrowser } from '../helpers/browser';
import { expectConforms } from '../helpers/openapi';
import { intakeRequest } from '../helpers/fixtures';
import { eventually, startStack } from '../helpers/stack';
import type { Stack, StaffSession } from '../helpers/stack';
import { CASES, EXPECTED_VILAFRANCA, PERIOD, seedIndicatorCases } from '../fixtures/indicator-cases';

interface Row {
  municipality: string | null;
  municipalityName: string | null;
  benefit: string | null;
  values: Record<string, number | null>;
  suppressed?: string[];
}

describe('office indicators', () => {
  let stack: Stack;
  let coordinator: StaffSession;
  let both: StaffSession;
  let evaluator: StaffSession;
  const period = `from=${PERIOD.from}&to=${PERIOD.to}`;

  beforeAll(async () => {
    stack = await startStack();
    await seedIndicatorCases(stack.db.prisma);
    coordinator = await stack.as('coordinator', ['08305']);
    both = await stack.as('coordinator', ['08305', '08096']);
    evaluator = await stack.as('auditor');
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const get = async (session: StaffSession, url: string) => {
    const res = await session.api.get(url);
    if (String(res.headers['content-type']).startsWith('application/')) expectConforms(res);
    return res;
  };

  it('gives every indicator of a municipality as computed by hand', async () => {
    const res = await get(coordinator, `/indicators?${period}`);
    expect(res.status).toBe(200);
    const rows = res.body.rows as Row[];
    const total = rows.find((r) => r.municipality === '08305' && r.benefit === null);
    expect(total?.values).toEqual(EXPECTED_VILAFRANCA);
    expect(total?.municipalityName).toBe('Vilafranca del Penedès');
    // Every benefit has its row; Granollers is not this coordinator's.
    expect(rows.filter((r) => r.municipality === '08305' && r.benefit !== null)).toHaveLength(5);
    expect(rows.some((r) => r.municipality === '08096')).toBe(false);
    expect(rows.find((r) => r.benefit === 'RENT')?.values).toMatchObject({ received: 1, resolved: 1 });
    // Each indicator is documented in the answer.
    expect((res.body.definitions as { id: string }[]).map((d) => d.id)).toEqual(INDICATOR_IDS);
  });

  it('gives the breakdowns: registries, workload per person with names, week by week', async () => {
    const res = await get(coordinator, `/indicators?${period}`);
    expect(res.body.registryAvailability).toEqual([
      { service: 'aeat', consultations: 3, attempts: 9, failures: 7, availability: 0.2222 },
      { service: 'padro', consultations: 4, attempts: 4, failures: 0, availability: 1 },
    ]);
    expect(res.body.workload.perPerson).toEqual([
      {
        staffId: 'adm-joan',
        name: 'Joan Puig',
        role: 'administrative',
        openCases: 2,
        openTasks: 1,
        tasksPastSla: 1,
      },
      {
        staffId: 'sw-anna',
        name: 'Anna Soler',
        role: 'social_worker',
        openCases: 2,
        openTasks: 0,
        tasksPastSla: 2,
      },
    ]);
    expect(res.body.workload.weekly.map((w: { weekEnding: string }) => w.weekEnding)).toEqual([
      '2026-04-05',
      '2026-04-12',
    ]);
  });

  it('adds the municipalities together for someone who works for several', async () => {
    const res = await get(both, `/indicators?${period}&benefit=URGENCY_FOOD`);
    const rows = res.body.rows as Row[];
    expect(rows.map((r) => [r.municipality, r.benefit])).toEqual([
      [null, null],
      ['08096', 'URGENCY_FOOD'],
      ['08305', 'URGENCY_FOOD'],
    ]);
    // C1, C2, C4 in Vilafranca and C6 in Granollers; resolutions after 4 (C1), 7 (C2) and 3 (C6) business days.
    expect(rows[0]?.values).toMatchObject({
      received: 4,
      resolved: 3,
      granted: 2,
      resolution_business_days_p50: 4,
      amount_granted: 450,
      amount_paid: 450,
    });
  });

  it('exports the same figures as CSV', async () => {
    const res = await get(coordinator, `/indicators?${period}&format=csv`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toContain(`indicadors-${PERIOD.from}-${PERIOD.to}.csv`);
    const records = parse<Record<string, string>>(res.text, { columns: true });
    const total = records.find((r) => r.municipality === '08305' && r.benefit === 'all');
    expect(total).toBeDefined();
    for (const id of INDICATOR_IDS) {
      const expected = EXPECTED_VILAFRANCA[id];
      expect([id, total?.[id]]).toEqual([id, expected === null ? '' : String(expected)]);
    }
  });

  it('gives the Diputació aggregates with no personal data and small counts withheld', async () => {
    const res = await get(evaluator, `/indicators/aggregated?${period}`);
    expect(res.status).toBe(200);
    expect(res.body.threshold).toBe(5);
    const text = JSON.stringify(res.body);
    for (const personal of [
      'adm-joan',
      'sw-anna',
      'Joan Puig',
      'Persona',
      '90000001N',
      ...CASES.map((c) => c.id),
    ])
      expect(text).not.toContain(personal);
    const rows = res.body.rows as Row[];
    const programme = rows.find((r) => r.municipality === null && r.benefit === null);
    // Five received across the programme: shown; 4 in Vilafranca and 1 in Granollers: withheld.
    expect(programme?.values.received).toBe(5);
    const vilafranca = rows.find((r) => r.municipality === '08305' && r.benefit === null);
    const granollers = rows.find((r) => r.municipality === '08096' && r.benefit === null);
    expect(vilafranca?.values.received).toBeNull();
    expect(granollers?.values.received).toBeNull();
    expect(vilafranca?.suppressed).toContain('received');
    // Computed over 3 resolutions: withheld with them.
    expect(vilafranca?.values.resolution_business_days_p50).toBeNull();
    // Zero stays zero: it reveals nothing.
    expect(rows.find((r) => r.municipality === '08187' && r.benefit === null)?.values.received).toBe(0);
    // No count from 1 to 4 anywhere.
    const counts = INDICATORS.filter((d) => d.unit === 'count').map((d) => d.id);
    for (const r of rows)
      for (const id of counts) {
        const v = r.values[id];
        expect({ row: [r.municipality, r.benefit], id, small: v != null && v > 0 && v < 5 }).toEqual({
          row: [r.municipality, r.benefit],
          id,
          small: false,
        });
      }

    const csv = await get(evaluator, `/indicators/aggregated?${period}&format=csv`);
    expect(csv.text).toContain('<5');
    expect(csv.text).not.toContain('adm-joan');
  });

  it('answers only coordinators and auditors, within their municipalities, and refuses bad periods', async () => {
    const clerk = await stack.as('administrative', ['08305']);
    expect((await get(clerk, `/indicators?${period}`)).status).toBe(403);
    expect((await get(coordinator, `/indicators?${period}&municipality=08096`)).status).toBe(403);
    const backwards = await get(coordinator, '/indicators?from=2026-04-12&to=2026-03-30');
    expect(backwards.status).toBe(400);
    expect(backwards.body.errors[0].field).toBe('query.from');
    expect((await get(coordinator, '/indicators?from=2020-01-01&to=2026-01-01')).status).toBe(400);
    expect((await get(coordinator, '/indicators?from=yesterday')).status).toBe(400);
    expect((await request(stack.app).get('/indicators')).status).toBe(401);
  });

  it('shows them on a page in Catalan with Spanish, with charts, in Chromium', async () => {
    const artifacts = path.resolve(__dirname, '..', '..', 'test-artifacts', 'office');
    mkdirSync(artifacts, { recursive: true });
    const server: Server = stack.app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const { browser, page } = await launchBrowser();
    try {
      await page.goto(`${base}/office/indicators.html?from=${PERIOD.from}&to=${PERIOD.to}`);
      await page.locator('#token').fill(both.token);
      await page.locator('#login-form button').click();
      await page.locator('body[data-ready=true]').waitFor();
      // Both municipalities together: 5 received (C1, C2, C4, C7 and Granollers' C6).
      await expect(page.locator('.card[data-indicator=received] .value').textContent()).resolves.toBe('5');
      // Vilafranca alone, as the hand computation says.
      await page.locator('#f-municipality').selectOption('08305');
      await page.locator('#filters button[type=submit]').click();
      await page.locator('body[data-ready=true]').waitFor();
      await expect(page.locator('.card[data-indicator=received] .value').textContent()).resolves.toBe('4');
      await expect(
        page
          .locator('#indicators-table tr[data-indicator=resolution_business_days_p90] td')
          .nth(1)
          .textContent(),
      ).resolves.toBe('11,8');
      await expect(
        page.locator('#indicators-table tr[data-indicator=amount_paid] td').nth(1).textContent(),
      ).resolves.toMatch(/^700,00\s€$/);
      // Four charts drawn by Chart.js, with the data of the answer.
      const charts = await page.evaluate<{ id: string; datasets?: number[][] }[]>(
        `[...document.querySelectorAll('canvas')].map((c) => ({
          id: c.id,
          datasets: Chart.getChart(c)?.data.datasets.map((d) => d.data),
        }))`,
      );
      expect(charts.map((c) => c.id)).toEqual([
        'chart-outcomes',
        'chart-waiting',
        'chart-workload',
        'chart-registries',
      ]);
      expect(charts.find((c) => c.id === 'chart-waiting')?.datasets).toEqual([[7.6, 4, 0.5]]);
      expect(charts.find((c) => c.id === 'chart-registries')?.datasets?.[0]?.map(Math.round)).toEqual([
        22, 100,
      ]);
      expect(await page.locator('#people-table tbody tr').count()).toBe(2);
      await page.screenshot({ path: path.join(artifacts, '6-indicators.png'), fullPage: true });
    } finally {
      await browser.close();
      server.close();
    }
  });

  it('counts a case filed through the API as its workflow moves it, with its task in the log', async () => {
    const today = officeDateOf(new Date());
    const url = `/indicators?from=${today}&to=${today}&municipality=08305`;
    const valuesNow = async () => ((await get(coordinator, url)).body.rows as Row[])[0]?.values ?? {};
    // This test's database holds no other case filed today; the seeded ones still open are counted as open.
    const before = await valuesNow();
    expect(before).toMatchObject({ received: 0, open_cases: 4, open_tasks: 1 });
    const filed = await coordinator.api
      .post('/applications')
      .send(intakeRequest({ municipalityCode: '08305' }));
    expect(filed.status).toBe(201);
    const id = filed.body.applicationId as string;
    // No registry is connected in this stack: the documents are asked of the person.
    await eventually(
      () => stack.db.prisma.application.findUnique({ where: { id } }),
      (a) => a?.state === 'awaiting_documents',
    );
    expect(await valuesNow()).toMatchObject({
      received: 1,
      open_cases: 5,
      remedy_requests_per_application: 1,
      data_from_administrations_share: 0,
    });
    const request = await stack.db.prisma.applicationEvent.findFirstOrThrow({
      where: { applicationId: id, type: 'document_request' },
    });
    const codes = String((request.detail as { note?: string }).note).split(', ');
    await coordinator.api.post(`/applications/${id}/documents`).send({ documents: codes }).expect(200);
    // The assessment task opens in the task log and counts as open.
    const task = await eventually(
      () => stack.db.prisma.taskRecord.findFirst({ where: { applicationId: id } }),
      (t) => t !== null,
    );
    expect(task).toMatchObject({ kind: 'assessment_report', closedAt: null });
    expect(await valuesNow()).toMatchObject({ received: 1, open_cases: 5, open_tasks: 2 });
  });
});
