/**
 * Fault injection: what can go wrong with a real platform, switched on per service (or for all, `*`) over
 * the simulator's admin endpoint. Error rates draw from a seeded generator so that a test run is repeatable.
 */
import { z } from 'zod';
import { SERVICE_CODES } from '../adapters/scsp/protocol';
import type { ServiceCode } from '../adapters/scsp/protocol';

export const faultSchema = z
  .object({
    service: z.union([z.enum(SERVICE_CODES), z.literal('*')]).default('*'),
    /** Added to every answer. */
    latencyMs: z.number().int().min(0).max(120_000).optional(),
    /** Every request answers `failStatus` (default 503) until the fault is cleared or `outageUntil` passes. */
    outage: z.boolean().optional(),
    /** End of an outage window (ISO instant, the simulator's clock); without it the outage lasts until cleared. */
    outageUntil: z.iso.datetime().optional(),
    /** The next N requests answer `failStatus`. */
    failNext: z.number().int().min(1).optional(),
    failStatus: z.number().int().min(400).max(599).default(503),
    /** Share of requests answering `failStatus`, drawn from a generator seeded with `seed`. */
    errorRate: z.number().min(0).max(1).optional(),
    seed: z.number().int().optional(),
    /** The next N answers are bodies that do not follow the SCSP shape. */
    malformedNext: z.number().int().min(1).optional(),
    /** Answers asynchronously: pending for `polls` answer requests, with an estimated time in hours. */
    async: z
      .object({ polls: z.number().int().min(0).max(100), estimatedHours: z.number().positive().max(720) })
      .optional(),
  })
  .strict();
export type FaultInput = z.input<typeof faultSchema>;
export type Fault = z.infer<typeof faultSchema>;

/** Mulberry32: a small seeded generator, enough for repeatable error rates. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Decision =
  | { kind: 'fail'; status: number }
  | { kind: 'malformed' }
  | { kind: 'answer'; async?: { polls: number; estimatedHours: number } | undefined };

interface ActiveFault {
  fault: Fault;
  failLeft: number;
  malformedLeft: number;
  random: () => number;
}

export class Faults {
  private readonly active = new Map<ServiceCode | '*', ActiveFault>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  set(fault: Fault): void {
    this.active.set(fault.service, {
      fault,
      failLeft: fault.failNext ?? 0,
      malformedLeft: fault.malformedNext ?? 0,
      random: seeded(fault.seed ?? 1),
    });
  }

  clear(service?: ServiceCode | '*'): void {
    if (service) this.active.delete(service);
    else this.active.clear();
  }

  list(): Fault[] {
    return [...this.active.values()].map((a) => a.fault);
  }

  /** The fault that applies to a service: its own, or the one for every service. */
  private forService(service: ServiceCode): ActiveFault | undefined {
    return this.active.get(service) ?? this.active.get('*');
  }

  latencyMs(service: ServiceCode): number {
    return this.forService(service)?.fault.latencyMs ?? 0;
  }

  /** What to do with one request to `service`; counts consume the fault. */
  decide(service: ServiceCode): Decision {
    const a = this.forService(service);
    if (!a) return { kind: 'answer' };
    const { fault } = a;
    if (fault.outage && (!fault.outageUntil || this.now() < new Date(fault.outageUntil))) {
      return { kind: 'fail', status: fault.failStatus };
    }
    if (a.failLeft > 0) {
      a.failLeft--;
      return { kind: 'fail', status: fault.failStatus };
    }
    if (fault.errorRate !== undefined && a.random() < fault.errorRate) {
      return { kind: 'fail', status: fault.failStatus };
    }
    if (a.malformedLeft > 0) {
      a.malformedLeft--;
      return { kind: 'malformed' };
    }
    return { kind: 'answer', async: fault.async };
  }
}
