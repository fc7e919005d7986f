/**
 * Property: whatever the simulators are sent (a valid request with fields of the wrong type or size, random
 * JSON, bodies that are not JSON, odd queries, odd SMTP sessions), they answer it, with a clear refusal
 * (problem+json naming what is wrong, or an SMTP reply code) when they refuse it, never a 5xx nor a crash,
 * and a refused request leaves nothing behind: not stored, not answerable later, not logged, no fault set,
 * no message kept. The apps are built in-process (the processes run the same apps, simulator/main.ts).
 */
import { once } from 'node:events';
import { connect } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import fc from 'fast-check';
import nodemailer from 'nodemailer';
import request from 'supertest';
import type { Response } from 'supertest';
import {
  RequestStatus,
  responseSchema,
  SCSP_PATHS,
  SERVICE_CODES,
  SERVICES,
} from '../../adapters/scsp/protocol';
import type { ScspRequest, ScspResponse } from '../../adapters/scsp/protocol';
import { createSimulatorApp } from '../../simulator/app';
import { createSmsGatewayApp } from '../../simulator/sms';
import { createSmtpCapture } from '../../simulator/smtp';
import { applyMutations, malformedJson, mutationsOf } from '../helpers/fuzz-arbitraries';
import type { Json } from '../helpers/fuzz-arbitraries';
import { fuzzCounts } from '../helpers/fuzz-counts';

const counts = fuzzCounts(__filename);
afterAll(() => counts.write());

type App = Parameters<typeof request>[0];

/** A body: a mutated valid document, any JSON, or text that is not JSON (or not sent as JSON); sent as it is. */
type Body = { kind: 'json'; value: Json | undefined } | { kind: 'text'; text: string; type: string };

function bodyArbitrary(template: Json): fc.Arbitrary<Body> {
  return fc.oneof(
    { weight: 4, arbitrary: mutationsOf(template).map((m) => json(applyMutations(template, m))) },
    { weight: 1, arbitrary: fc.jsonValue().map((v) => json(v as Json)) },
    {
      weight: 1,
      arbitrary: malformedJson.map((text): Body => ({ kind: 'text', text, type: 'application/json' })),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin9')
        .map((type): Body => ({ kind: 'text', text: JSON.stringify(template), type })),
    },
  );
}
const json = (value: Json | undefined): Body =>
  // With how fast-check prints it in a counterexample.
  Object.assign(
    { kind: 'json' as const, value },
    { [fc.toStringMethod]: () => `json ${JSON.stringify(value)?.slice(0, 1000)}` },
  );

/** The body with the template's placeholder id replaced by a fresh one, so that every case is new. */
function withFresh(body: Body, placeholder: string, fresh: string): Body {
  const swap = (text: string) => text.split(JSON.stringify(placeholder)).join(JSON.stringify(fresh));
  if (body.kind === 'text') return { ...body, text: swap(body.text) };
  return body.value === undefined ? body : json(JSON.parse(swap(JSON.stringify(body.value))) as Json);
}

function send(app: App, method: 'post' | 'put' | 'delete', path: string, body: Body): Promise<Response> {
  const req = request(app)[method](path);
  if (body.kind === 'text') return req.set('content-type', body.type).send(body.text);
  // As text, so that any JSON value (a bare number, null, nothing at all) reaches the server as it is.
  return req
    .set('content-type', 'application/json')
    .send(body.value === undefined ? '' : JSON.stringify(body.value));
}

/** A refusal: 4xx, problem+json, a title saying what is wrong. Anything at or above 500 fails the case. */
function expectClearRefusal(res: Response, what: string): void {
  if (res.status >= 500) throw new Error(`${what} → ${res.status} ${res.text.slice(0, 300)}`);
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status: res.status, title: expect.any(String) });
  expect((res.body as { title: string }).title.length).toBeGreaterThan(3);
}

/** A query string of known and unknown keys, repeated keys (arrays), odd values. */
const oddQuery = (keys: string[]) =>
  fc.array(
    fc.tuple(
      fc.constantFrom(...keys, 'x', 'service[]', '__proto__', 'document[a]'),
      fc.oneof(fc.constantFrom(...SERVICE_CODES, '*', '', '%', '12345678Z'), fc.string({ maxLength: 30 })),
    ),
    { maxLength: 4 },
  );
const queryString = (pairs: [string, string][]) =>
  pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');

// ---- registry simulator (PCI/SCSP) ---------------------------------------------------------------------

/**
 * Property: any of `paths` with any of `methods` and odd query strings is answered, or refused with a clear
 * problem+json (expectClearRefusal); never a 5xx.
 */
async function expectOtherEndpointsClear(
  app: App,
  target: string,
  opts: {
    paths: string[];
    methods: ('get' | 'post' | 'put' | 'delete' | 'patch')[];
    queryKeys: string[];
    numRuns: number;
  },
): Promise<void> {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...opts.paths),
      fc.constantFrom(...opts.methods),
      oddQuery(opts.queryKeys),
      async (path, method, pairs) => {
        counts.hit(target);
        const url = `${path}?${queryString(pairs)}`;
        const res = await request(app)[method](url);
        if (res.status < 400) return;
        expectClearRefusal(res, `${method.toUpperCase()} ${url}`);
      },
    ),
    { numRuns: opts.numRuns },
  );
}

function scspRequest(id: string): ScspRequest {
  return {
    atributos: {
      idPeticion: id,
      timestamp: '2026-03-02T10:00:00Z',
      codigoCertificado: 'PADRO',
      producto: SERVICES.PADRO.product,
      datosAutorizacion: {
        finalidad: 'Comprovació de requisits',
        procedimiento: 'OGPS-RENT',
        idExpediente: '08305-2026-000001',
        nombreFuncionario: 'Anna Puig',
        nifFuncionario: '00000000T',
      },
    },
    solicitudes: [
      {
        idTransmision: `${id}-1`,
        consentimiento: 'NoOpo',
        titular: { tipoDocumentacion: 'DNI', documentacion: '12345678Z' },
        datosEspecificos: { municipio: '08305', fecha: '2026-03-02' },
      },
    ],
  };
}

const isPending = (r: ScspResponse) =>
  r.atributos.estado.codigoEstado === RequestStatus.Pending ||
  r.atributos.estado.codigoEstado === RequestStatus.Processing;

describe.each([
  { mode: 'synchronous', fault: undefined },
  { mode: 'asynchronous', fault: { async: { polls: 1, estimatedHours: 2 } } },
])('registry simulator, $mode answers', ({ mode, fault }) => {
  let app: App;
  let seq = 0;
  beforeAll(async () => {
    app = createSimulatorApp();
    if (fault) await request(app).put('/admin/faults').send(fault).expect(200);
  });

  const logLength = async () =>
    ((await request(app).get('/admin/requests').expect(200)).body as unknown[]).length;

  it(`${SCSP_PATHS.request}: answers in the SCSP shape or refuses clearly, and a refused request is not kept`, async () => {
    const accepted = new Set<string>();
    await fc.assert(
      fc.asyncProperty(bodyArbitrary(scspRequest('template') as unknown as Json), async (generated) => {
        counts.hit(`registry simulator ${SCSP_PATHS.request} (${mode})`);
        const id = `fuzz-${mode}-${++seq}`;
        const body = withFresh(generated, 'template', id);
        const before = await logLength();
        const res = await send(app, 'post', SCSP_PATHS.request, body);
        const sent =
          body.kind === 'json'
            ? (body.value as { atributos?: { idPeticion?: unknown; codigoCertificado?: unknown } })
            : undefined;
        const sentId = sent?.atributos?.idPeticion;
        if (res.status === 200) {
          expect(responseSchema.safeParse(res.body).error).toBeUndefined();
          if (typeof sentId === 'string') accepted.add(sentId);
          // What was taken can be answered: a pending request finishes when asked again, never with a 5xx.
          let answer = res.body as ScspResponse;
          for (let poll = 0; poll < 3 && isPending(answer); poll++) {
            const { idPeticion, codigoCertificado } = answer.atributos;
            const again = await request(app)
              .post(SCSP_PATHS.answer)
              .send({ atributos: { idPeticion, codigoCertificado } });
            if (again.status !== 200)
              throw new Error(`polling ${idPeticion} → ${again.status} ${again.text.slice(0, 300)}`);
            answer = again.body as ScspResponse;
          }
          expect(answer.atributos.estado.codigoEstado).toBe(RequestStatus.Finished);
          return;
        }
        expectClearRefusal(res, `POST ${SCSP_PATHS.request} ${JSON.stringify(body).slice(0, 200)}`);
        expect(await logLength()).toBe(before);
        // Not stored: asking for its answer finds no such request.
        const service = sent?.atributos?.codigoCertificado;
        if (
          typeof sentId === 'string' &&
          sentId.length > 0 &&
          sentId.length <= 100 &&
          !accepted.has(sentId)
        ) {
          const codigoCertificado = SERVICE_CODES.includes(service as never) ? service : 'PADRO';
          const answer = await request(app)
            .post(SCSP_PATHS.answer)
            .send({ atributos: { idPeticion: sentId, codigoCertificado } })
            .expect(200);
          expect(answer.body).toMatchObject({ atributos: { estado: { codigoEstado: RequestStatus.Error } } });
        }
      }),
      { numRuns: 200 },
    );
  });

  it(`${SCSP_PATHS.answer}: answers or refuses clearly, and a refused request is not logged`, async () => {
    const template = { atributos: { idPeticion: 'fuzz-known', codigoCertificado: 'PADRO' } };
    // One request it knows, so that some of the mutations ask about a real one.
    await request(app).post(SCSP_PATHS.request).send(scspRequest('fuzz-known')).expect(200);
    await fc.assert(
      fc.asyncProperty(bodyArbitrary(template), async (body) => {
        counts.hit(`registry simulator ${SCSP_PATHS.answer} (${mode})`);
        const before = await logLength();
        const res = await send(app, 'post', SCSP_PATHS.answer, body);
        if (res.status === 200) {
          expect(responseSchema.safeParse(res.body).error).toBeUndefined();
          return;
        }
        expectClearRefusal(res, `POST ${SCSP_PATHS.answer} ${JSON.stringify(body).slice(0, 200)}`);
        expect(await logLength()).toBe(before);
      }),
      { numRuns: 60 },
    );
  });
});

describe('registry simulator, fault injection and logs (/admin)', () => {
  const app = createSimulatorApp();
  const template = {
    service: 'PADRO',
    latencyMs: 0,
    outage: true,
    outageUntil: '2026-03-02T10:00:00Z',
    failNext: 1,
    failStatus: 503,
    errorRate: 0.5,
    seed: 7,
    malformedNext: 1,
    async: { polls: 1, estimatedHours: 1 },
  };
  // A valid fault of one or more fields, then mutated.
  const faultBody = fc.oneof(
    fc
      .subarray(Object.keys(template), { minLength: 1 })
      .chain((keys) => {
        const picked = Object.fromEntries(keys.map((k) => [k, template[k as keyof typeof template]])) as Json;
        return fc.tuple(fc.constant(picked), fc.option(mutationsOf(picked), { nil: undefined }));
      })
      .map(([picked, m]): Body => json(m ? applyMutations(picked, m) : picked)),
    bodyArbitrary(template as Json),
  );
  const faultsNow = async () => (await request(app).get('/admin/faults').expect(200)).body as unknown[];

  it('PUT /admin/faults sets the fault it is given or refuses clearly, leaving the faults as they were', async () => {
    await fc.assert(
      fc.asyncProperty(faultBody, async (body) => {
        counts.hit('registry simulator PUT /admin/faults');
        await request(app).delete('/admin/faults').expect(204);
        // A fault already on, for every service: a refused request must leave it exactly as it is.
        await request(app).put('/admin/faults').send({ service: '*', latencyMs: 0, failNext: 3 }).expect(200);
        const before = await faultsNow();
        const res = await send(app, 'put', '/admin/faults', body);
        if (res.status === 200) {
          expect(res.body).toEqual(await faultsNow());
          return;
        }
        expectClearRefusal(res, `PUT /admin/faults ${JSON.stringify(body).slice(0, 200)}`);
        expect(await faultsNow()).toEqual(before);
      }),
      { numRuns: 120 },
    );
    await request(app).delete('/admin/faults').expect(204);
  });

  it('DELETE /admin/faults clears what it names or refuses clearly, leaving the faults as they were', async () => {
    await fc.assert(
      fc.asyncProperty(oddQuery(['service']), async (pairs) => {
        counts.hit('registry simulator DELETE /admin/faults');
        await request(app).put('/admin/faults').send({ service: 'SOC', outage: true }).expect(200);
        await request(app).put('/admin/faults').send({ service: '*', failNext: 2 }).expect(200);
        const before = await faultsNow();
        const res = await request(app).delete(`/admin/faults?${queryString(pairs)}`);
        if (res.status === 204) return;
        expectClearRefusal(res, `DELETE /admin/faults?${queryString(pairs)}`);
        expect(await faultsNow()).toEqual(before);
      }),
      { numRuns: 40 },
    );
  });

  it('GET /admin/requests, /admin/population and unknown endpoints answer or refuse clearly', async () => {
    await expectOtherEndpointsClear(app, 'registry simulator other endpoints', {
      paths: ['/admin/requests', '/admin/population', '/admin/nothing', '/scsp', '/%2e%2e/admin'],
      methods: ['get', 'post', 'put', 'delete', 'patch'],
      queryKeys: ['service', 'document'],
      numRuns: 40,
    });
  });
});

// ---- SMS gateway simulator -----------------------------------------------------------------------------

describe('SMS gateway simulator', () => {
  const app = createSmsGatewayApp({ receiptDelayMs: 0 });
  /** The references of the messages it has taken (their status moves on with the receipts). */
  const sent = async () =>
    ((await request(app).get('/admin/messages').expect(200)).body as { reference: string }[]).map(
      (m) => m.reference,
    );
  let seq = 0;

  it('POST /messages accepts a message once or refuses it clearly, and a refused one is not in the sent list', async () => {
    const template = { to: '+34600000000', text: 'Recordatori / Recordatorio', reference: 'ref-template' };
    await fc.assert(
      fc.asyncProperty(bodyArbitrary(template), async (generated) => {
        counts.hit('SMS gateway POST /messages');
        const body = withFresh(generated, template.reference, `ref-${++seq}`);
        const before = await sent();
        const res = await send(app, 'post', '/messages', body);
        const after = await sent();
        if (res.status === 202 || res.status === 200) {
          const reference =
            body.kind === 'json' ? (body.value as { reference?: unknown }).reference : undefined;
          expect(after.filter((r) => r === reference)).toHaveLength(1);
          expect(after.length).toBe(before.length + (res.status === 202 ? 1 : 0));
          return;
        }
        expectClearRefusal(res, `POST /messages ${JSON.stringify(body).slice(0, 200)}`);
        expect(after).toEqual(before);
      }),
      { numRuns: 120 },
    );
  });

  it('PUT /admin/faults sets the faults or refuses clearly, leaving the gateway as it was', async () => {
    const template = { failNext: 1, outage: true, undeliverable: ['+34600000000'] };
    await fc.assert(
      fc.asyncProperty(bodyArbitrary(template), async (body) => {
        counts.hit('SMS gateway PUT /admin/faults');
        await request(app).delete('/admin/faults').expect(204);
        const res = await send(app, 'put', '/admin/faults', body);
        if (res.status === 200) return;
        expectClearRefusal(res, `PUT /admin/faults ${JSON.stringify(body).slice(0, 200)}`);
        // No fault was switched on: the next message goes through.
        await request(app)
          .post('/messages')
          .send({ to: '+34600000001', text: 'x', reference: `after-refusal-${++seq}` })
          .expect(202);
      }),
      { numRuns: 60 },
    );
    await request(app).delete('/admin/faults').expect(204);
  });

  it('answers odd queries and unknown endpoints clearly', async () => {
    await expectOtherEndpointsClear(app, 'SMS gateway other endpoints', {
      paths: ['/admin/messages', '/admin/faults', '/messages', '/nothing', '/health'],
      methods: ['get', 'post', 'patch'],
      queryKeys: ['to'],
      numRuns: 30,
    });
  });
});

// ---- SMTP capture --------------------------------------------------------------------------------------

describe('SMTP capture', () => {
  const { smtp, admin } = createSmtpCapture();
  let server: Server;
  let port: number;
  let seq = 0;
  const captured = async () =>
    (await request(admin).get('/messages').expect(200)).body as { messageId: string; to: string[] }[];

  beforeAll(async () => {
    server = smtp.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  });

  /** One plain SMTP session: the lines it is sent and the reply to each, the reply code first. */
  async function session(lines: string[]): Promise<{ replies: string[]; closed: boolean }> {
    const socket = connect(port, '127.0.0.1');
    socket.setEncoding('utf8');
    let buffer = '';
    let closed = false;
    const waiters: (() => void)[] = [];
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      waiters.splice(0).forEach((w) => w());
    });
    socket.on('close', () => {
      closed = true;
      waiters.splice(0).forEach((w) => w());
    });
    socket.on('error', () => undefined);
    /** The next complete reply (the last line of a multi-line one has a space after its code). */
    const reply = async (): Promise<string | undefined> => {
      const deadline = Date.now() + 2000;
      for (;;) {
        const m = /^(?:\d{3}-[^\n]*\n)*\d{3}(?: [^\n]*)?\r?\n/.exec(buffer);
        if (m) {
          buffer = buffer.slice(m[0].length);
          return m[0];
        }
        if (closed) return undefined;
        if (Date.now() > deadline) throw new Error(`no SMTP reply within 2 s; got ${JSON.stringify(buffer)}`);
        let timer: NodeJS.Timeout | undefined;
        await new Promise<void>((r) => {
          waiters.push(r);
          timer = setTimeout(r, 100);
        });
        clearTimeout(timer);
      }
    };
    const replies: string[] = [];
    const greeting = await reply();
    if (greeting) replies.push(greeting);
    for (const line of lines) {
      if (closed) break;
      socket.write(`${line}\r\n`);
      // Lines inside DATA get no reply until the final dot.
      if (replies.at(-1)?.startsWith('354') && line !== '.') continue;
      const r = await reply();
      if (r === undefined) break; // closed by the server, after its last reply (421)
      replies.push(r);
    }
    socket.destroy();
    return { replies, closed };
  }

  const oddAddress = fc.oneof(
    fc.emailAddress(),
    fc.constantFrom(
      '',
      '<>',
      '@',
      'a@',
      '@b',
      'a b@c.d',
      '"quoted space"@x.cat',
      'ünïcode@exemple.cat',
      'a@[127.0.0.1]',
    ),
    fc.string({ maxLength: 40 }),
    fc.integer({ min: 300, max: 2000 }).map((n) => `${'a'.repeat(n)}@x.cat`),
  );
  const oddHeaderLine = fc.oneof(
    fc
      .tuple(
        fc.constantFrom('Subject', 'From', 'To', 'Message-ID', 'Content-Type', 'X'),
        fc.string({ maxLength: 60 }),
      )
      .map(([h, v]) => `${h}: ${v.replace(/[\r\n]/g, ' ')}`),
    fc.string({ maxLength: 60 }).map((s) => s.replace(/[\r\n]/g, ' ')),
  );

  it('any SMTP session gets a reply code to each command, and only a message the server took is kept', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.constantFrom('NOOP', 'RSET', 'VRFY x', 'HELP', 'XYZZY', 'MAIL', 'RCPT TO:', ''),
            fc.string({ maxLength: 30 }),
          ),
          { maxLength: 3 },
        ),
        oddAddress,
        fc.array(oddAddress, { minLength: 1, maxLength: 3 }),
        fc.array(oddHeaderLine, { maxLength: 6 }),
        fc.constantFrom('complete', 'cut'),
        async (noise, from, to, headers, ending) => {
          counts.hit('SMTP capture sessions');
          const id = `<fuzz-${++seq}@ogps.test>`;
          const before = (await captured()).length;
          const clean = (s: string) => s.replace(/[\r\n]/g, ' ');
          // A client doubles a leading dot inside DATA (RFC 5321 4.5.2), or a generated line "." would end the
          // message early and the lines after it would be taken for commands.
          const stuffed = (line: string) => (line.startsWith('.') ? `.${line}` : line);
          const lines = [
            'EHLO fuzz.test',
            ...noise.map(clean),
            `MAIL FROM:<${clean(from)}>`,
            ...to.map((t) => `RCPT TO:<${clean(t)}>`),
            'DATA',
            `Message-ID: ${id}`,
            ...headers.map(stuffed),
            '',
            'Cos / Cuerpo',
            ...(ending === 'complete' ? ['.'] : []),
          ];
          const { replies } = await session(lines);
          for (const r of replies) expect(r).toMatch(/^[2-5]\d\d[ -]/);
          // Kept exactly when the final dot was answered 250.
          const tookIt =
            ending === 'complete' && replies.at(-2)?.startsWith('354') && replies.at(-1)?.startsWith('250');
          const after = await captured();
          expect(after.length).toBe(before + (tookIt ? 1 : 0));
          if (!tookIt) expect(after.some((m) => m.messageId === id)).toBe(false);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('mail sent with odd addresses and headers is either kept as sent or refused and not kept', async () => {
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port,
      secure: false,
      ignoreTLS: true,
      pool: true,
    });
    await fc.assert(
      fc.asyncProperty(
        oddAddress,
        fc.array(oddAddress, { minLength: 1, maxLength: 3 }),
        fc.string({ maxLength: 200 }),
        fc.oneof(
          fc.string({ maxLength: 500 }),
          fc.integer({ min: 1, max: 1_500_000 }).map((n) => 'x'.repeat(n)),
        ),
        fc.dictionary(fc.stringMatching(/^X-[A-Za-z-]{1,20}$/), fc.string({ maxLength: 60 }), { maxKeys: 3 }),
        async (from, to, subject, text, headers) => {
          counts.hit('SMTP capture via nodemailer');
          const messageId = `<fuzz-${++seq}@ogps.test>`;
          const before = (await captured()).length;
          let accepted = false;
          try {
            await transport.sendMail({ from, to, subject, text, headers, messageId });
            accepted = true;
          } catch (err) {
            // Refused by the server (an SMTP reply code) or by nodemailer before sending (no recipient).
            const e = err as { responseCode?: number; code?: string; message: string };
            expect(e.responseCode === undefined ? e.code : String(e.responseCode)).toMatch(
              /^(4\d\d|5\d\d|E[A-Z]+)$/,
            );
          }
          const after = await captured();
          expect(after.length).toBe(before + (accepted ? 1 : 0));
          expect(after.some((m) => m.messageId === messageId)).toBe(accepted);
        },
      ),
      { numRuns: 60 },
    );
    transport.close();
  });

  it('PUT /admin/faults and the HTTP side answer or refuse clearly, and a refused fault changes nothing', async () => {
    const template = { rejectNext: 1, rejectCode: 451 };
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port,
      secure: false,
      ignoreTLS: true,
      pool: true,
    });
    await fc.assert(
      fc.asyncProperty(
        bodyArbitrary(template),
        fc.constantFrom('/faults', '/messages', '/nothing'),
        oddQuery(['to', 'messageId']),
        async (body, path, pairs) => {
          counts.hit('SMTP capture HTTP side');
          await request(admin).delete('/faults').expect(204);
          const res = await send(admin, 'put', '/faults', body);
          if (res.status !== 200) {
            expectClearRefusal(res, `PUT /faults ${JSON.stringify(body).slice(0, 200)}`);
            // No refusal was switched on: the next mail is taken.
            await transport.sendMail({ from: 'a@x.cat', to: 'b@x.cat', subject: 's', text: 't' });
          }
          await request(admin).delete('/faults').expect(204);
          const other = await request(admin).get(`${path}?${queryString(pairs)}`);
          if (other.status >= 400) expectClearRefusal(other, `GET ${path}?${queryString(pairs)}`);
        },
      ),
      { numRuns: 50 },
    );
    transport.close();
  });
});

// ---- what fuzzing found, kept as examples ----------------------------------------------------------------

describe('refusals found by fuzzing', () => {
  it('registry simulator: a reference date that is no calendar day is refused, and not kept for later polls', async () => {
    const app = createSimulatorApp();
    await request(app)
      .put('/admin/faults')
      .send({ async: { polls: 1, estimatedHours: 1 } })
      .expect(200);
    const bad = scspRequest('bad-date');
    bad.solicitudes[0]!.datosEspecificos = { municipio: '08305', fecha: '2026-02-30' };
    const res = await request(app).post(SCSP_PATHS.request).send(bad).expect(400);
    expect(res.body.title).toMatch(/solicitudes\.0\.datosEspecificos\.fecha: must be a calendar date/);
    const noDate = scspRequest('bad-timestamp');
    delete noDate.solicitudes[0]!.datosEspecificos;
    noDate.atributos.timestamp = 'ahir';
    expect((await request(app).post(SCSP_PATHS.request).send(noDate).expect(400)).body.title).toMatch(
      /atributos\.timestamp/,
    );
    const poll = await request(app)
      .post(SCSP_PATHS.answer)
      .send({ atributos: { idPeticion: 'bad-date', codigoCertificado: 'PADRO' } })
      .expect(200);
    expect(poll.body.atributos.estado.codigoEstado).toBe(RequestStatus.Error);
    const logged = (await request(app).get('/admin/requests').expect(200)).body as { path: string }[];
    expect(logged.map((r) => r.path)).toEqual(['solicitud-respuesta']); // the poll; neither refused request
  });

  it('registry simulator: a body over the limit is 413, not "not valid JSON"', async () => {
    const res = await request(createSimulatorApp())
      .post(SCSP_PATHS.request)
      .set('content-type', 'application/json')
      .send(JSON.stringify({ x: 'x'.repeat(2_000_000) }))
      .expect(413);
    expect(res.body.title).toMatch(/too large/);
  });

  it.each([
    [
      'SMS gateway',
      () => createSmsGatewayApp(),
      'post',
      '/messages',
      { to: 1, text: '', reference: 'r' },
      /^to: .*; text: /,
    ],
    ['SMTP capture', () => createSmtpCapture().admin, 'put', '/faults', { rejectCode: 200 }, /^rejectCode: /],
  ] as const)(
    '%s: a body that is not JSON, a bad field and an unknown endpoint answer problem+json',
    async (_, make, method, path, badBody, names) => {
      const app = make();
      const notJson = await request(app)[method](path).set('content-type', 'application/json').send('{"a');
      expect(notJson.status).toBe(400);
      expect(notJson.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(notJson.body.title).toMatch(/^The body is not valid JSON/);
      expect(notJson.text).not.toMatch(/<html|at .*\.js/);
      expect((await request(app)[method](path).send(badBody).expect(400)).body.title).toMatch(names);
      const unknown = await request(app).get('/nothing').expect(404);
      expect(unknown.body).toEqual({ status: 404, title: 'No such endpoint: GET /nothing' });
    },
  );

  it('SMTP capture: a message over the SIZE it advertises is refused (552) and not kept', async () => {
    const { smtp, admin } = createSmtpCapture();
    const server = smtp.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: (server.address() as AddressInfo).port,
      secure: false,
      ignoreTLS: true,
    });
    try {
      await expect(
        transport.sendMail({ from: 'a@x.cat', to: 'b@x.cat', subject: 'gran', text: 'x'.repeat(1_200_000) }),
      ).rejects.toMatchObject({ responseCode: 552 });
      expect((await request(admin).get('/messages').expect(200)).body).toEqual([]);
    } finally {
      transport.close();
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    }
  });
});
