/**
 * The coordinators' page end to end in headless Chromium (Debian's package, driven by playwright-core), on
 * data this test creates through the API: the stuck list shows a case blocked on an unavailable registry,
 * the reassign action works, and screenshots of the main views are saved in test-artifacts/office/.
 */
import { mkdirSync } from 'node:fs';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../helpers/browser';
import { intakeRequest } from '../helpers/fixtures';
import { eventually, startStackWithRegistries } from '../helpers/stack';
import type { StackWithRegistries, StaffSession } from '../helpers/stack';

const HOME = '08305';
const ARTIFACTS = path.resolve(__dirname, '..', '..', 'test-artifacts', 'office');

describe('the coordinators’ page in Chromium', () => {
  let stack: StackWithRegistries;
  let server: Server;
  let base: string;
  let browser: Browser;
  let page: Page;
  let coordinator: StaffSession;
  let socialWorker: StaffSession;
  let blockedCase: string;
  /** Requests the page has made and not yet seen answered. */
  let inFlight = 0;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    stack = await startStackWithRegistries();
    coordinator = await stack.as('coordinator', [HOME], `carla-coordinadora-${process.pid}`);
    socialWorker = await stack.as('social_worker', [HOME], `sergi-social-${process.pid}`);
    server = stack.app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    // A case the registry outage blocks, and one waiting on the person's documents.
    await stack.registryDown('PADRO');
    const filed = await coordinator.api
      .post('/applications')
      .send(intakeRequest({ municipalityCode: HOME }))
      .expect(201);
    blockedCase = filed.body.applicationId as string;
    await eventually(
      async () =>
        (await coordinator.api.get('/coordination/stuck').expect(200)).body as {
          items: { applicationId: string; findings: { reason: string }[] }[];
        },
      (b) =>
        b.items.some(
          (c) =>
            c.applicationId === blockedCase && c.findings.some((f) => f.reason === 'registry_unavailable'),
        ),
      40_000,
    );
    ({ browser, page } = await launchBrowser());
    page.on('request', () => inFlight++);
    page.on('requestfinished', () => inFlight--);
    page.on('requestfailed', () => inFlight--);
  });
  afterAll(async () => {
    // The page's last requests (a page of stuck cases describes its cases in Temporal and reads PostgreSQL)
    // finish before the stack closes its connections and drops its database. (A Temporal retry still waiting
    // on its timer at that point, which once failed this suite by firing on the closed channel, the stack now
    // drains itself in stop(): test/helpers/stack.ts.)
    await eventually(
      async () => inFlight,
      (n) => n === 0,
      30_000,
    ).catch(() => undefined);
    await browser?.close();
    server?.close();
    await stack?.stop();
  });

  it('asks for the access key, then shows the stuck list with the blocked case and what to do', async () => {
    await page.goto(`${base}/office/`);
    await page.locator('#token').fill('ogps_not-a-real-token-at-all-000000');
    await page.locator('#login-form button[type=submit]').click();
    await page.locator('#login-error').getByText('La clau no és vàlida').waitFor();

    await page.locator('#token').fill(coordinator.token);
    await page.locator('#login-form button[type=submit]').click();
    await page.locator('body[data-ready=true]').waitFor();
    await page.locator('#who').getByText(coordinator.id).waitFor();
    const row = page.locator('#stuck-table tbody tr', { hasText: blockedCase }).first();
    await row.waitFor();
    expect(await row.textContent()).toContain('PADRO');
    expect(await row.textContent()).toContain('Esperar o demanar el document a la persona');
    await page.screenshot({ path: path.join(ARTIFACTS, '1-stuck.png'), fullPage: true });
  });

  it('reassigns the blocked case from the page', async () => {
    await page.locator(`[data-reassign="${blockedCase}"]`).click();
    await page.locator('#reassign-assignee').selectOption(socialWorker.id);
    await page.locator('#reassign-reason').fill('Té la família en seguiment');
    await page.screenshot({ path: path.join(ARTIFACTS, '2-reassign.png') });
    await page.locator('#reassign-confirm').click();
    await page.locator('#reassign-dialog').waitFor({ state: 'hidden' });
    const row = await eventually(
      () => stack.db.prisma.application.findUnique({ where: { id: blockedCase } }),
      (r) => r?.assignee === socialWorker.id,
    );
    expect(row?.assignee).toBe(socialWorker.id);
    await page.locator('#stuck-table tbody tr', { hasText: socialWorker.id }).first().waitFor();
  });

  it('asks the registry again now from the page', async () => {
    const retry = page.locator(`[data-retry="${blockedCase}"]`);
    await retry.click();
    await page.locator(`[data-retry="${blockedCase}"]`, { hasText: 'Demanat / Solicitado' }).waitFor();
    await eventually(
      () =>
        stack.db.prisma.applicationEvent.count({ where: { applicationId: blockedCase, type: 'retry_now' } }),
      (n) => n === 1,
    );
  });

  it('escalates the case from the page, once even when clicked again after a 503, and the list says so', async () => {
    // The first escalation reaches the API and is carried out, but the page gets a 503 instead of its answer
    // (as when the case takes it just after CASE_ACTION_TIMEOUT_SECONDS): clicking again must ask for that
    // same action, with the same Idempotency-Key, not escalate a second time.
    const keys: (string | undefined)[] = [];
    let answered = 0;
    await page.route(`**/applications/${blockedCase}/escalation`, async (route) => {
      keys.push(route.request().headers()['idempotency-key']);
      const response = await route.fetch();
      if (answered++ > 0) return route.fulfill({ response });
      return route.fulfill({
        status: 503,
        headers: { 'content-type': 'application/problem+json', 'retry-after': '10' },
        body: JSON.stringify({ title: 'Service unavailable', status: 503, detail: 'No s’ha pogut fer ara' }),
      });
    });
    try {
      const escalate = page.locator(`[data-escalate="${blockedCase}"]`);
      page.once('dialog', (dialog) => void dialog.accept('Cal trucar a la família avui'));
      await escalate.click();
      await page.locator(`[data-escalate="${blockedCase}"]`, { hasText: 'No s’ha pogut fer ara' }).waitFor();
      page.once('dialog', (dialog) => void dialog.accept('Cal trucar a la família avui'));
      await escalate.click();
      await page
        .locator('#stuck-table tbody tr', { hasText: 'Cal trucar a la família avui' })
        .first()
        .waitFor();
    } finally {
      await page.unroute(`**/applications/${blockedCase}/escalation`);
    }
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^office-[0-9a-f]{32}$/);
    expect(keys[1]).toBe(keys[0]);
    expect(
      await stack.db.prisma.applicationEvent.count({
        where: { applicationId: blockedCase, type: 'escalated' },
      }),
    ).toBe(1);
  });

  it('extends a request to remedy from the deadlines, once, within the legal limit', async () => {
    await stack.registriesBack();
    const filed = await coordinator.api
      .post('/applications')
      .send(intakeRequest({ municipalityCode: HOME }))
      .expect(201);
    const id = filed.body.applicationId as string;
    const dueOf = async (): Promise<string | undefined> => {
      const res = await coordinator.api.get(`/applications/${id}/deadlines`);
      if (res.status !== 200) return undefined; // not projected yet
      return (res.body.deadlines as { kind: string; dueDate: string }[]).find(
        (d) => d.kind === 'document_request',
      )?.dueDate;
    };
    const due = await eventually(dueOf, (d) => d !== undefined);
    await page.locator('nav [data-tab=stuck]').click();
    await page.locator('#refresh').click();
    await page.locator('nav [data-tab=deadlines]').click();
    await page.locator(`[data-extend="${id}"]`).click();
    const extended = await eventually(dueOf, (d) => d !== due);
    expect(extended! > due!).toBe(true);
    // A second extension is refused (art. 68.2): the page says why.
    await page.locator(`[data-extend="${id}"]`).click();
    await page.locator(`[data-extend="${id}"]`, { hasText: 'already extended' }).waitFor();
  });

  it('shows the deadlines, the workload and a case’s story', async () => {
    await page.locator('nav [data-tab=deadlines]').click();
    await page.locator('#deadlines-table tbody tr').first().waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, '3-deadlines.png'), fullPage: true });
    await page.locator('nav [data-tab=workload]').click();
    await page.locator('#waiting-on').getByText('expedients oberts').waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, '4-workload.png'), fullPage: true });
    await page.locator('nav [data-tab=stuck]').click();
    await page.locator(`#stuck-table a.case[data-case="${blockedCase}"]`).click();
    await page.locator('#timeline').getByText('Registrada / Registrada').waitFor();
    expect(await page.locator('#timeline').textContent()).toContain('Reassignat / Reasignado');
    await page.screenshot({ path: path.join(ARTIFACTS, '5-timeline.png'), fullPage: true });
  });

  it('pages the stuck list: "Més expedients" adds the next page, until there is none', async () => {
    // Two more stuck cases (escalated once they wait on the person: an escalation counts until the case's
    // next change of state), and pages of one case each: the page asks for the API's default of 50, so the
    // test narrows its requests rather than filing 51 cases.
    const escalated: string[] = [];
    for (let i = 0; i < 2; i++) {
      const filed = await coordinator.api
        .post('/applications')
        .send(intakeRequest({ municipalityCode: HOME }))
        .expect(201);
      escalated.push(filed.body.applicationId as string);
    }
    for (const id of escalated) {
      await eventually(
        () => stack.db.prisma.application.findUnique({ where: { id } }),
        (row) => row?.state === 'awaiting_documents',
      );
      await coordinator.api
        .post(`/applications/${id}/escalation`)
        .send({ reason: 'Revisar la documentació' })
        .expect(200);
    }
    const expected = await eventually(
      async () =>
        (
          (await coordinator.api.get('/coordination/stuck').expect(200)).body.items as {
            applicationId: string;
          }[]
        ).map((c) => c.applicationId),
      (ids) => escalated.every((id) => ids.includes(id)),
    );
    await page.route('**/coordination/stuck*', (route) => {
      const url = new URL(route.request().url());
      url.searchParams.set('limit', '1');
      return route.continue({ url: url.toString() });
    });
    try {
      const shown = async (): Promise<(string | null)[]> => {
        const links = await page.locator('#stuck-table a.case').all();
        return Promise.all(links.map((a) => a.getAttribute('data-case')));
      };
      await page.locator('nav [data-tab=stuck]').click();
      await page.locator('#refresh').click();
      await page.locator('#stuck-more').waitFor({ state: 'visible' });
      expect(await shown()).toEqual(expected.slice(0, 1));
      expect(await page.locator('#stuck-count').textContent()).toBe('1+');
      for (let n = 2; n <= expected.length; n++) {
        await page.locator('#stuck-more').click();
        await page
          .locator('#stuck-table a.case')
          .nth(n - 1)
          .waitFor();
      }
      // The last page may be full: one more click finds nothing further, and the button goes.
      if (await page.locator('#stuck-more').isVisible()) await page.locator('#stuck-more').click();
      await page.locator('#stuck-more').waitFor({ state: 'hidden' });
      expect(await shown()).toEqual(expected);
      expect(await page.locator('#stuck-count').textContent()).toBe(String(expected.length));
    } finally {
      await page.unroute('**/coordination/stuck*');
    }
  });
});
