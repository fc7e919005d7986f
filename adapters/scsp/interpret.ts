/**
 * One connector per service family: what the office takes from each registry's answer, in the terms of the
 * eligibility rules (domain/registries.ts). Only these facts are kept (data minimisation); the raw answer
 * is not stored. Each answer is validated against its service's shape first: one that does not match is
 * malformed, and the caller treats it as the registry being unavailable.
 */
import type { RegistryFacts } from '../../domain/registries';
import { SERVICES } from './protocol';
import type { ServiceCode, ServiceData } from './protocol';

export interface InterpretContext {
  /** The municipality of the case: the one the holder must be registered in. */
  municipalityCode: string;
}

export class MalformedServiceDataError extends Error {}

type Interpreters = { [S in ServiceCode]: (data: ServiceData<S>, ctx: InterpretContext) => RegistryFacts };

const euros = (cents: number): number => Math.round(cents) / 100;

const INTERPRETERS: Interpreters = {
  PADRO: (d, ctx) => ({
    registeredInMunicipality: d.empadronado && d.municipio === ctx.municipalityCode,
    ...(d.empadronado && d.municipio === ctx.municipalityCode && d.fechaAlta
      ? { residenceSince: d.fechaAlta }
      : {}),
    deceased: d.motivoBaja === 'DEFUNCION',
    specialProtection: d.proteccionEspecial,
  }),
  PADRO_HISTORIC: (d, ctx) => {
    // Seniority counts from the start of the current, uninterrupted stay in the municipality.
    const current = d.periodos
      .filter((p) => p.municipio === ctx.municipalityCode && p.hasta === null)
      .sort((a, b) => (a.desde < b.desde ? -1 : 1))[0];
    return current ? { residenceSince: current.desde } : { registeredInMunicipality: false };
  },
  AEAT_IRPF: (d) => ({ annualIncome: d.rentaAnual }),
  AEAT_DADES: () => ({}),
  SCSP_TGSS: () => ({}),
  INSS_PRESTACIONS: (d) => ({
    benefitsReceived: {
      IMV: euros(
        d.prestaciones.filter((p) => p.codigo === 'IMV').reduce((n, p) => n + p.importeMensualCentimos, 0),
      ),
    },
  }),
  TSD_INTEGRANTS: () => ({}),
  SEPE: () => ({}),
  SOC: () => ({}),
  RGC_CONSULTA: (d) => ({ benefitsReceived: { RGC: d.situacion === 'PERCEP' ? d.importeMensual : 0 } }),
  RGC_CONSULTA_HISTORIC: (d) => {
    const last = [...d.mensualidades].sort((a, b) => (a.mes < b.mes ? 1 : -1))[0];
    return { benefitsReceived: { RGC: last?.importe ?? 0 } };
  },
  GRAU_DISCAPACITAT: () => ({}),
  DEPENDENCIA: () => ({}),
  TFN: () => ({}),
  TFM: () => ({}),
};

/** Whether an answer proves what the checklist item needs (a title that is not held proves nothing). */
function proves(service: ServiceCode, data: unknown): boolean {
  if (service === 'TFN' || service === 'TFM') return (data as { titulo: boolean }).titulo;
  if (service === 'GRAU_DISCAPACITAT') return (data as { grado: number }).grado > 0;
  return true;
}

export interface Interpretation {
  facts: RegistryFacts;
  /** Whether the documents this service stands for count as obtained. */
  proves: boolean;
}

export function interpret(service: ServiceCode, data: unknown, ctx: InterpretContext): Interpretation {
  const parsed = SERVICES[service].data.safeParse(data);
  if (!parsed.success) {
    throw new MalformedServiceDataError(
      `${service} answer data: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const fn = INTERPRETERS[service] as (d: unknown, c: InterpretContext) => RegistryFacts;
  return { facts: fn(parsed.data, ctx), proves: proves(service, parsed.data) };
}
