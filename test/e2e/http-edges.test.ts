/**
 * The edges of HTTP answer as the OpenAPI document says (issue #28, finding 7): a path asked with a method it
 * does not take is 405 with `Allow`, not 404; headers too large are 431 as problem+json, not Node's bare
 * status line; failed authentications are limited per address (429 with Retry-After past the limit) while a
 * person with a valid token from the same address is never held back by them.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerClientErrors } from '../../api/client-errors';
import { OPENAPI_DOCUMENT } from '../helpers/openapi';
import { agentFor, startStack } from '../helpers/stack';
import type { Stack } from '../helpers/stack';
import request from 'supertest';

describe('the edges of HTTP', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('answers 405 with Allow for a method a path does not take', async () => {
    const list = await stack.api.delete('/applications').expect(405);
    expect(list.headers['allow']?.split(', ').sort()).toEqual(['GET', 'HEAD', 'POST']);
    expect(list.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(list.body).toMatchObject({ status: 405, title: 'Method not allowed' });
    const action = await stack.api.get('/applications/08305-2026-000001/documents').expect(405);
    expect(action.headers['allow']).toBe('POST');
    // A path the API does not serve at all is still 404.
    await stack.api.get('/applications/08305-2026-000001/no-such-thing').expect(404);
  });

  it('declares 405, 413, 415 and 431 in the document', () => {
    const filing = OPENAPI_DOCUMENT.paths?.['/applications']?.post?.responses ?? {};
    for (const status of ['413', '415', '431']) expect(Object.keys(filing)).toContain(status);
    expect(OPENAPI_DOCUMENT.info.description).toMatch(/405/);
  });

  it('limits failed authentications per address, never a valid token from the same address', async () => {
    const app = stack.appWith({ rateLimitPerMinute: 2 }); // 4 failed authentications per address per minute
    const staff = await stack.as('coordinator');
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await request(app).get('/me').set('authorization', 'Bearer nope')).status);
    expect(statuses).toEqual([401, 401, 401, 401, 429]);
    const limited = await request(app).get('/me');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // The person with a valid token, from the same address, is served.
    await agentFor(app, staff.token).get('/me').expect(200);
  });

  it('answers headers too large with 431 as problem+json', async () => {
    const server = createServer(stack.app);
    answerClientErrors(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/health`, {
        headers: { 'x-padding': 'x'.repeat(40_000) },
      });
      expect(res.status).toBe(431);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(await res.json()).toMatchObject({ status: 431, title: 'Request Header Fields Too Large' });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
