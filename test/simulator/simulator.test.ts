/**
 * The registry simulator as its own process, over HTTP: the answers for its population, idempotency by
 * request id, the asynchronous pattern, fault injection, and clear refusals of bad requests. The SMTP
 * capture as its own process: it outlives clients that drop their connections.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {
  RequestStatus,
  responseSchema,
  SERVICE_CODES,
  SERVICES,
  TransmissionStatus,
} from '../../adapters/scsp/protocol';
import type { ScspRequest, ScspResponse, ServiceCode } from '../../adapters/scsp/protocol';
import { startSimulator } from '../../scripts/dev/simulator';
import type { RunningSimulator } from '../../scripts/dev/simulator';
import { answerFor, NAMED_PEOPLE } from '../../simulator/population';

const ORDINARY = '12345678Z';
const NIE = 'X1234567L';
const ctx = { municipio: '08305', fecha: '2026-03-02' };
const holder = (documentacion: string) => ({
  tipoDocumentacion: documentacion.match(/^[XYZ]/) ? ('NIE' as const) : ('DNI' as const),
  documentacion,
});

describe('the simulated population', () => {
  it.each(SERVICE_CODES)('answers %s for everyone in the shape the connectors validate', (service) => {
    for (const document of [ORDINARY, NIE, ...NAMED_PEOPLE.map((p) => p.document)]) {
      const answer = answerFor(service, holder(document), 'Si', ctx);
      if (answer.code === TransmissionStatus.Finished) {
        expect(SERVICES[service].data.safeParse(answer.data).error).toBeUndefined();
      } else {
        expect(answer.literal).toMatch(/ \/ /); // Catalan / Spanish
      }
    }
  });

  it('is deterministic and counts dates back from the reference date only', () => {
    const a = answerFor('PADRO_HISTORIC', holder(ORDINARY), 'NoOpo', ctx);
    expect(answerFor('PADRO_HISTORIC', holder(ORDINARY), 'NoOpo', ctx)).toEqual(a);
    const later = answerFor('PADRO_HISTORIC', holder(ORDINARY), 'NoOpo', { ...ctx, fecha: '2027-03-02' });
    const since = (x: typeof a) =>
      x.code === '0003' ? (x.data as { periodos: { desde: string }[] }).periodos.at(-1)?.desde : undefined;
    expect(since(a)?.slice(4)).toBe('-03-02');
    expect(Number(since(later)?.slice(0, 4))).toBe(Number(since(a)?.slice(0, 4)) + 1);
  });

  it('registers an ordinary person in the municipality that asks', () => {
    for (const municipio of ['08305', '08019']) {
      expect(answerFor('PADRO', holder(ORDINARY), 'NoOpo', { ...ctx, municipio })).toMatchObject({
        code: '0003',
        data: { empadronado: true, municipio },
      });
    }
  });

  it('answers the edge cases', () => {
    const of = (label: string) => holder(NAMED_PEOPLE.find((p) => p.label === label)!.document);
    expect(answerFor('PADRO', of('moved_away'), 'NoOpo', ctx)).toMatchObject({
      data: { empadronado: false, motivoBaja: 'CAMBIO_RESIDENCIA', fechaBaja: '2026-02-02' },
    });
    expect(answerFor('PADRO', of('deceased'), 'NoOpo', ctx)).toMatchObject({
      data: { motivoBaja: 'DEFUNCION' },
    });
    expect(answerFor('SEPE', of('deceased'), 'NoOpo', ctx).code).toBe(TransmissionStatus.NotFound);
    expect(answerFor('TFN', of('no_data'), 'NoOpo', ctx).code).toBe(TransmissionStatus.NotFound);
    expect(answerFor('SOC', of('objector'), 'NoOpo', ctx).code).toBe(TransmissionStatus.NoConsent);
    const protectedAnswer = answerFor('PADRO', of('protected'), 'NoOpo', ctx);
    expect(protectedAnswer).toMatchObject({ data: { empadronado: true, proteccionEspecial: true } });
    expect(protectedAnswer.code === '0003' && 'convivientes' in (protectedAnswer.data as object)).toBe(false);
    expect(answerFor('INSS_PRESTACIONS', of('imv_recipient'), 'NoOpo', ctx)).toMatchObject({
      data: { prestaciones: [{ codigo: 'IMV', importeMensualCentimos: 60_421 }] },
    });
    expect(answerFor('TFN', of('large_family'), 'NoOpo', ctx)).toMatchObject({ data: { titulo: true } });
  });

  it('is the population the registries page documents for testers', () => {
    const page = readFileSync(path.join(__dirname, '..', '..', 'docs', 'registries.md'), 'utf8');
    for (const p of NAMED_PEOPLE) expect(page).toContain(`| \`${p.document}\` |`);
  });

  it('refuses tax data without express consent, and invalid or mistyped documents', () => {
    expect(answerFor('AEAT_IRPF', holder(ORDINARY), 'NoOpo', ctx).code).toBe(TransmissionStatus.NoConsent);
    expect(answerFor('AEAT_IRPF', holder(ORDINARY), 'Si', ctx).code).toBe(TransmissionStatus.Finished);
    expect(answerFor('PADRO', holder('12345678A'), 'NoOpo', ctx).code).toBe(
      TransmissionStatus.InvalidDocument,
    );
    expect(answerFor('PADRO', { tipoDocumentacion: 'NIE', documentacion: ORDINARY }, 'NoOpo', ctx).code).toBe(
      TransmissionStatus.InvalidDocument,
    );
  });
});

describe('the simulator process', () => {
  let sim: RunningSimulator;
  let seq = 0;

  beforeAll(async () => {
    sim = await startSimulator();
  });
  afterAll(async () => {
    await sim?.stop();
  });
  afterEach(async () => {
    await call('DELETE', '/admin/faults');
  });

  async function call(method: string, path: string, body?: unknown) {
    const res = await fetch(`${sim.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, type: res.headers.get('content-type') ?? '', text, json };
  }

  function request(service: ServiceCode, document = ORDINARY, id = `t-${++seq}`): ScspRequest {
    return {
      atributos: {
        idPeticion: id,
        timestamp: '2026-03-02T10:00:00Z',
        codigoCertificado: service,
        producto: SERVICES[service].product,
        datosAutorizacion: {
          finalidad: 'Comprovació de requisits',
          procedimiento: 'OGPS-RENT',
          idExpediente: '08305-2026-000001',
          nombreFuncionario: 'staff-1',
          nifFuncionario: '11111111H',
        },
      },
      solicitudes: [
        {
          idTransmision: id,
          consentimiento: 'Si',
          titular: holder(document),
          datosEspecificos: ctx,
        },
      ],
    };
  }

  const send = async (req: ScspRequest) => call('POST', '/scsp/peticion', req);
  const scsp = (r: { json: unknown }): ScspResponse => responseSchema.parse(r.json);

  it('answers a request in the SCSP shape, and the same answer when the same request id comes again', async () => {
    const req = request('PADRO');
    const first = await send(req);
    expect(first.status).toBe(200);
    expect(scsp(first).atributos.estado.codigoEstado).toBe(RequestStatus.Finished);
    expect(scsp(first).transmisiones[0]).toMatchObject({
      idTransmision: req.atributos.idPeticion,
      estado: { codigoEstado: '0003' },
      datosEspecificos: { empadronado: true, municipio: '08305' },
    });
    const again = await send(req);
    expect(again.json).toEqual(first.json);
    const log = (await call('GET', `/admin/requests?service=PADRO&document=${ORDINARY}`)).json as {
      idPeticion: string;
      result: string;
    }[];
    expect(log.filter((r) => r.idPeticion === req.atributos.idPeticion).map((r) => r.result)).toEqual([
      'answered',
      'answered again',
    ]);
  });

  it('refuses a malformed request with a clear 400 problem', async () => {
    const bad = await call('POST', '/scsp/peticion', { atributos: { idPeticion: 'x' } });
    expect(bad.status).toBe(400);
    expect(bad.type).toContain('application/problem+json');
    expect(bad.json).toMatchObject({
      status: 400,
      title: expect.stringContaining('atributos.codigoCertificado'),
    });
    const notJson = await call('POST', '/scsp/peticion', '{"atributos":');
    expect(notJson.status).toBe(400);
    const badFault = await call('PUT', '/admin/faults', { service: 'NOPE', outage: true });
    expect(badFault.status).toBe(400);
    expect((await call('GET', '/nowhere')).status).toBe(404);
  });

  it('answers asynchronously when told to: pending, processing, then the answer', async () => {
    await call('PUT', '/admin/faults', { service: 'AEAT_IRPF', async: { polls: 2, estimatedHours: 2 } });
    const req = request('AEAT_IRPF');
    const first = scsp(await send(req));
    expect(first.atributos.estado).toMatchObject({ codigoEstado: '0001', tiempoEstimadoRespuesta: 2 });
    const ask = () =>
      call('POST', '/scsp/solicitud-respuesta', {
        atributos: { idPeticion: req.atributos.idPeticion, codigoCertificado: 'AEAT_IRPF' },
      });
    expect(scsp(await ask()).atributos.estado.codigoEstado).toBe('0002');
    const done = scsp(await ask());
    expect(done.atributos.estado.codigoEstado).toBe('0003');
    expect(done.transmisiones[0]?.datosEspecificos).toMatchObject({ ejercicio: 2025 });
    // Asking for an answer to a request it never received is an error status, not a crash.
    const unknown = scsp(
      await call('POST', '/scsp/solicitud-respuesta', {
        atributos: { idPeticion: 'never-sent', codigoCertificado: 'AEAT_IRPF' },
      }),
    );
    expect(unknown.atributos.estado.codigoEstado).toBe(RequestStatus.Error);
  });

  it('injects outages per service and for all, with a window that ends by itself', async () => {
    await call('PUT', '/admin/faults', { service: 'SEPE', outage: true });
    expect((await send(request('SEPE'))).status).toBe(503);
    expect((await send(request('SOC'))).status).toBe(200);
    await call('PUT', '/admin/faults', { service: '*', outage: true, failStatus: 502 });
    expect((await send(request('SOC'))).status).toBe(502);
    expect((await send(request('SEPE'))).status).toBe(503); // its own fault comes first
    await call('DELETE', '/admin/faults?service=SEPE');
    expect((await send(request('SEPE'))).status).toBe(502);
    await call('DELETE', '/admin/faults');
    const until = new Date(Date.now() + 1500).toISOString();
    await call('PUT', '/admin/faults', { service: 'TFN', outage: true, outageUntil: until });
    expect((await send(request('TFN'))).status).toBe(503);
    await new Promise((r) => setTimeout(r, 1600));
    expect((await send(request('TFN'))).status).toBe(200);
  });

  it('fails the next N requests, returns malformed bodies, and delays answers', async () => {
    await call('PUT', '/admin/faults', { service: 'TFM', failNext: 2, malformedNext: 1, latencyMs: 200 });
    const started = Date.now();
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await send(request('TFM'))).status);
    expect(statuses).toEqual([503, 503, 200, 200]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(800);
    // The third answer was 200 but not the SCSP shape; the fourth is a real answer.
    const log = (await call('GET', '/admin/requests?service=TFM')).json as { result: string }[];
    expect(log.slice(-4).map((r) => r.result)).toEqual(['http 503', 'http 503', 'malformed', 'answered']);
  });

  it('draws errors at a seeded rate: the same seed gives the same failures', async () => {
    const run = async () => {
      await call('PUT', '/admin/faults', { service: 'DEPENDENCIA', errorRate: 0.5, seed: 42 });
      const out = [];
      for (let i = 0; i < 20; i++) out.push((await send(request('DEPENDENCIA'))).status);
      return out;
    };
    const a = await run();
    const b = await run();
    expect(a).toEqual(b);
    expect(a.filter((s) => s === 503).length).toBeGreaterThan(3);
    expect(a.filter((s) => s === 200).length).toBeGreaterThan(3);
  });

  it('lists its named population for testers', async () => {
    const people = (await call('GET', '/admin/population')).json as { label: string; document: string }[];
    expect(people.map((p) => p.label)).toEqual(
      expect.arrayContaining(['deceased', 'moved_away', 'protected']),
    );
  });
});

describe('the SMTP capture process', () => {
  let smtp: RunningSimulator;

  beforeAll(async () => {
    smtp = await startSimulator({ kind: 'smtp' });
  });
  afterAll(async () => {
    await smtp?.stop();
  });

  /**
   * Connects, opens a transaction (a reset outside one is ignored by smtp-server), then resets the
   * connection (RST) as a sender killed while sending does.
   */
  async function resetMidSession(): Promise<void> {
    const { hostname, port } = new URL(smtp.url);
    const socket = net.connect(Number(port), hostname);
    const greeted = once(socket, 'data');
    await once(socket, 'connect');
    await greeted;
    socket.write('EHLO killed.test\r\n');
    await once(socket, 'data');
    socket.write('MAIL FROM:<avisos@ogps.example.cat>\r\n');
    await once(socket, 'data');
    socket.resetAndDestroy();
    await once(socket, 'close');
  }

  it('keeps serving when a client resets its connection mid-session', async () => {
    for (let i = 0; i < 5; i++) await resetMidSession();
    // Still alive on both sides: the HTTP side answers, and a new SMTP session is greeted.
    const health = await fetch(`${smtp.adminUrl}/health`);
    expect(health.status).toBe(200);
    const { hostname, port } = new URL(smtp.url);
    const socket = net.connect(Number(port), hostname);
    const [greeting] = (await once(socket, 'data')) as [Buffer];
    expect(greeting.toString()).toMatch(/^220 /);
    socket.end('QUIT\r\n');
  });
});
