/**
 * The registry simulator's HTTP app: answers PCI/SCSP requests (Via Oberta, PID) like the real platforms for
 * the fictional population, with faults switched on over `/admin`. Idempotent by request id, as the real
 * platforms are: a request sent again gets the answer it got the first time.
 */
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import {
  answerRequestSchema,
  RequestStatus,
  requestSchema,
  SCSP_PATHS,
  SERVICE_CODES,
} from '../adapters/scsp/protocol';
import type { ScspRequest, ScspResponse, ServiceCode } from '../adapters/scsp/protocol';
import { isIsoDate } from '../domain/dates';
import { faultSchema, Faults } from './faults';
import { answerFor, NAMED_PEOPLE } from './population';
import { bodyParserProblem } from './problems';

export interface LoggedRequest {
  at: string;
  path: 'peticion' | 'solicitud-respuesta';
  idPeticion: string;
  service: ServiceCode;
  documents: string[];
  /** What the simulator did: answered, pending, failed with an HTTP status, or a malformed body. */
  result: string;
}

interface Stored {
  request: ScspRequest;
  /** Requests about it that still answer pending (asynchronous services). */
  pendingLeft: number;
  estimatedHours: number;
  response?: ScspResponse;
}

/** Bounds on what the simulator keeps in memory, oldest dropped first. */
const MAX_STORED = 50_000;
const MAX_LOGGED = 10_000;

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const servicesQuery = z.object({
  service: z.enum(SERVICE_CODES).optional(),
  document: z.string().optional(),
});

export interface SimulatorDeps {
  logger?: Logger | undefined;
  now?: () => Date;
}

export function createSimulatorApp({ logger, now = () => new Date() }: SimulatorDeps = {}) {
  const faults = new Faults(now);
  const stored = new Map<string, Stored>();
  const log: LoggedRequest[] = [];

  function remember(id: string, entry: Stored): void {
    stored.delete(id);
    stored.set(id, entry);
    if (stored.size > MAX_STORED) stored.delete(stored.keys().next().value as string);
  }

  function record(entry: Omit<LoggedRequest, 'at'>): void {
    log.push({ at: now().toISOString(), ...entry });
    if (log.length > MAX_LOGGED) log.shift();
    logger?.info({ id: entry.idPeticion, service: entry.service, result: entry.result }, 'scsp request');
  }

  function status(
    codigoEstado: string,
    extra: { literalError?: string; tiempoEstimadoRespuesta?: number } = {},
  ) {
    return { codigoEstado, ...extra };
  }

  function pendingResponse(id: string, entry: Stored, code: string): ScspResponse {
    return {
      atributos: {
        idPeticion: id,
        codigoCertificado: entry.request.atributos.codigoCertificado,
        timestamp: now().toISOString(),
        estado: status(code, { tiempoEstimadoRespuesta: entry.estimatedHours }),
      },
      transmisiones: [],
    };
  }

  function finished(req: ScspRequest): ScspResponse {
    const service = req.atributos.codigoCertificado;
    return {
      atributos: {
        idPeticion: req.atributos.idPeticion,
        codigoCertificado: service,
        timestamp: now().toISOString(),
        estado: status(RequestStatus.Finished),
      },
      transmisiones: req.solicitudes.map((s) => {
        const answer = answerFor(service, s.titular, s.consentimiento, {
          municipio: s.datosEspecificos?.municipio ?? '08019',
          fecha: referenceDate(req, s),
        });
        return answer.code === '0003'
          ? { idTransmision: s.idTransmision, estado: status(answer.code), datosEspecificos: answer.data }
          : { idTransmision: s.idTransmision, estado: status(answer.code, { literalError: answer.literal }) };
      }),
    };
  }

  /**
   * Latency and failures first, as a platform in trouble would. Answers the failure itself and says so, or
   * says how to go on (asynchronously, when that fault is on).
   */
  async function trouble(
    service: ServiceCode,
    res: Response,
  ): Promise<
    | { failed: true; result: string }
    | { failed: false; async?: { polls: number; estimatedHours: number } | undefined }
  > {
    const latency = faults.latencyMs(service);
    if (latency > 0) await new Promise((r) => setTimeout(r, latency));
    const decision = faults.decide(service);
    if (decision.kind === 'fail') {
      res
        .status(decision.status)
        .type('text/html')
        .send(`<html><body>${decision.status} Service Unavailable</body></html>`);
      return { failed: true, result: `http ${decision.status}` };
    }
    if (decision.kind === 'malformed') {
      // JSON, but not the SCSP shape: what a platform upgrade or a proxy's error page tends to produce.
      res.status(200).json({ respuesta: { estado: 'desconegut' } });
      return { failed: true, result: 'malformed' };
    }
    return { failed: false, async: decision.async };
  }

  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '1mb' }));

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.post(SCSP_PATHS.request, async (req, res) => {
    const body = parse(requestSchema, req.body);
    checkReferenceDates(body);
    const { idPeticion: id, codigoCertificado: service } = body.atributos;
    const documents = body.solicitudes.map((s) => s.titular.documentacion);
    const go = await trouble(service, res);
    if (go.failed) return record({ path: 'peticion', idPeticion: id, service, documents, result: go.result });

    const known = stored.get(id);
    if (known?.response) {
      record({ path: 'peticion', idPeticion: id, service, documents, result: 'answered again' });
      return res.json(known.response);
    }
    const async = go.async;
    if (known || async) {
      const entry = known ?? {
        request: body,
        pendingLeft: async?.polls ?? 0,
        estimatedHours: async?.estimatedHours ?? 1,
      };
      if (entry.pendingLeft > 0) {
        entry.pendingLeft--;
        remember(id, entry);
        record({ path: 'peticion', idPeticion: id, service, documents, result: 'pending' });
        return res.json(pendingResponse(id, entry, RequestStatus.Pending));
      }
    }
    const response = finished(body);
    remember(id, { request: body, pendingLeft: 0, estimatedHours: 0, response });
    record({ path: 'peticion', idPeticion: id, service, documents, result: 'answered' });
    return res.json(response);
  });

  app.post(SCSP_PATHS.answer, async (req, res) => {
    const body = parse(answerRequestSchema, req.body);
    const { idPeticion: id, codigoCertificado: service } = body.atributos;
    const go = await trouble(service, res);
    const entry = stored.get(id);
    const documents = entry?.request.solicitudes.map((s) => s.titular.documentacion) ?? [];
    if (go.failed) {
      return record({ path: 'solicitud-respuesta', idPeticion: id, service, documents, result: go.result });
    }
    if (!entry || entry.request.atributos.codigoCertificado !== service) {
      record({ path: 'solicitud-respuesta', idPeticion: id, service, documents, result: 'unknown request' });
      return res.json({
        atributos: {
          idPeticion: id,
          codigoCertificado: service,
          timestamp: now().toISOString(),
          estado: status(RequestStatus.Error, {
            literalError: `Petició desconeguda / Petición desconocida: ${id}`,
          }),
        },
        transmisiones: [],
      } satisfies ScspResponse);
    }
    if (!entry.response && entry.pendingLeft > 0) {
      entry.pendingLeft--;
      record({ path: 'solicitud-respuesta', idPeticion: id, service, documents, result: 'pending' });
      return res.json(pendingResponse(id, entry, RequestStatus.Processing));
    }
    entry.response ??= finished(entry.request);
    record({ path: 'solicitud-respuesta', idPeticion: id, service, documents, result: 'answered' });
    return res.json(entry.response);
  });

  app.get('/admin/faults', (_req, res) => {
    res.json(faults.list());
  });
  app.put('/admin/faults', (req, res) => {
    const fault = parse(faultSchema, req.body);
    faults.set(fault);
    logger?.info({ fault }, 'fault set');
    res.json(faults.list());
  });
  app.delete('/admin/faults', (req, res) => {
    const { service } = parse(
      z.object({ service: z.union([z.enum(SERVICE_CODES), z.literal('*')]).optional() }),
      req.query,
    );
    faults.clear(service);
    res.status(204).end();
  });

  app.get('/admin/requests', (req, res) => {
    const { service, document } = parse(servicesQuery, req.query);
    res.json(
      log.filter(
        (r) =>
          (!service || r.service === service) && (!document || r.documents.includes(document.toUpperCase())),
      ),
    );
  });
  app.delete('/admin/requests', (_req, res) => {
    log.length = 0;
    res.status(204).end();
  });

  app.get('/admin/population', (_req, res) => {
    res.json(NAMED_PEOPLE);
  });

  app.use((_req, _res, next) => next(new HttpProblem(404, 'No such endpoint')));
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const bodyProblem = bodyParserProblem(err);
    const problem =
      err instanceof HttpProblem
        ? err
        : bodyProblem
          ? new HttpProblem(bodyProblem.status, bodyProblem.title)
          : new HttpProblem(500, 'Simulator error');
    if (problem.status === 500) logger?.error({ err }, 'simulator error');
    res
      .status(problem.status)
      .type('application/problem+json')
      .json({ status: problem.status, title: problem.message });
  });

  return app;
}

/** The day a holder is asked about: the transmission's own date, or the day of the request's timestamp. */
function referenceDate(req: ScspRequest, s: ScspRequest['solicitudes'][number]): string {
  return s.datosEspecificos?.fecha ?? req.atributos.timestamp.slice(0, 10);
}

/**
 * Every answer counts dates back from the reference date, so one that is no calendar day (2026-02-30, a
 * timestamp that is not one) is refused here, before anything is stored or answered.
 */
function checkReferenceDates(req: ScspRequest): void {
  const problems = req.solicitudes.flatMap((s, i) =>
    isIsoDate(referenceDate(req, s))
      ? []
      : [
          s.datosEspecificos?.fecha === undefined
            ? `atributos.timestamp: must start with a calendar date YYYY-MM-DD (solicitudes.${i} has no datosEspecificos.fecha)`
            : `solicitudes.${i}.datosEspecificos.fecha: must be a calendar date YYYY-MM-DD`,
        ],
  );
  if (problems.length > 0) throw new HttpProblem(400, [...new Set(problems)].join('; '));
}

function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new HttpProblem(
      400,
      parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '),
    );
  }
  return parsed.data;
}
