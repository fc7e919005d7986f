/**
 * The simulator's fictional population: what each registry answers about a person, deterministically.
 *
 * Named people cover the edge cases an office meets (deceased, moved away last month, no data, specially
 * protected, objected to consultations, recipients of IMV or RGC, title holders, unemployed); everyone else
 * with a valid DNI/NIE is generated from a hash of the document number, registered in the municipality that
 * asks. Dates are counted back from the request's reference date, never from the clock, so the same request
 * always gets the same answer.
 */
import { createHash } from 'node:crypto';
import { plusDays, plusMonths } from '../domain/dates';
import { dniFor, documentNumberProblem, documentTypeOf } from '../domain/identity';
import { SERVICES, TransmissionStatus } from '../adapters/scsp/protocol';
import type { Consent, ServiceCode, ServiceData, TransmissionStatusCode } from '../adapters/scsp/protocol';

export interface Holder {
  tipoDocumentacion: 'DNI' | 'NIE';
  documentacion: string;
}

export interface AskContext {
  /** INE code of the municipality that asks (the case's). */
  municipio: string;
  /** Reference date of the consultation (YYYY-MM-DD). */
  fecha: string;
}

export type Answer =
  | { code: typeof TransmissionStatus.Finished; data: unknown }
  | { code: Exclude<TransmissionStatusCode, typeof TransmissionStatus.Finished>; literal: string };

export type Label =
  | 'deceased'
  | 'moved_away'
  | 'no_data'
  | 'protected'
  | 'objector'
  | 'imv_recipient'
  | 'rgc_recipient'
  | 'large_family'
  | 'single_parent'
  | 'disability'
  | 'unemployed';

export interface NamedPerson {
  label: Label;
  document: string;
  /** What a tester reads in the table of docs/registries.md. */
  description: string;
}

/** A fixed range of DNI numbers, far from the demo applications' (40 000 000 +). */
const named = (label: Label, n: number, description: string): NamedPerson => ({
  label,
  document: dniFor(n),
  description,
});

export const NAMED_PEOPLE: readonly NamedPerson[] = [
  named(
    'deceased',
    90_000_001,
    'Deceased last month: the register shows the removal, other registries no data',
  ),
  named(
    'moved_away',
    90_000_002,
    'Moved to Barcelona (08019) last month: removed from the municipal register',
  ),
  named('no_data', 90_000_003, 'Unknown to every registry'),
  named('protected', 90_000_004, 'Specially protected: registered, address and household withheld'),
  named(
    'objector',
    90_000_005,
    'Objected to consultations at the platform: every service answers no consent',
  ),
  named('imv_recipient', 90_000_006, 'Receives the IMV (€604.21/month), unit of three'),
  named('rgc_recipient', 90_000_007, 'Receives the RGC (€735.90/month) for the last six months'),
  named('large_family', 90_000_008, 'Holds a special-category large family title (TFN)'),
  named('single_parent', 90_000_009, 'Holds a single-parent family title (TFM), one child'),
  named('disability', 90_000_010, 'Recognised disability of 45 % and dependency grade 1'),
  named(
    'unemployed',
    90_000_011,
    'Receives an unemployment benefit (€480/month) and is a registered job seeker',
  ),
];

const BY_DOCUMENT = new Map(NAMED_PEOPLE.map((p) => [p.document, p.label]));

/** A generated person's traits, from the bytes of a hash of their document number. */
interface Traits {
  label?: Label;
  yearsRegistered: number;
  householdSize: number;
  annualIncome: number;
  taxUpToDate: boolean;
  employed: boolean;
  birthYearOffset: number;
}

function traitsOf(document: string): Traits {
  const h = createHash('sha256').update(document).digest();
  const byte = (i: number): number => h[i] ?? 0;
  const label = BY_DOCUMENT.get(document);
  return {
    ...(label ? { label } : {}),
    yearsRegistered: 1 + (byte(0) % 15),
    householdSize: 1 + (byte(1) % 5),
    // Between 0 and 18 000 € a year: the people who come to an OGPS.
    annualIncome: Math.round(((byte(2) * 256 + byte(3)) / 65535) * 18_000),
    taxUpToDate: byte(4) % 10 !== 0,
    employed: byte(5) % 3 === 0,
    birthYearOffset: 25 + (byte(6) % 45),
  };
}

const notFound = (what: string): Answer => ({
  code: TransmissionStatus.NotFound,
  literal: `Titular sense dades a ${what} / Titular sin datos en ${what}`,
});

type Builders = { [S in ServiceCode]: (t: Traits, ctx: AskContext) => ServiceData<S> };

/** The reference date moved by `months` and then `days`. */
const day = (ctx: AskContext, months: number, days = 0): string =>
  plusDays(plusMonths(ctx.fecha, months), days);
const yearsAgo = (ctx: AskContext, years: number): string => plusMonths(ctx.fecha, -12 * years);

function household(t: Traits, ctx: AskContext): { fechaNacimiento: string; parentesco: string }[] {
  const members = [{ fechaNacimiento: yearsAgo(ctx, t.birthYearOffset), parentesco: 'TITULAR' }];
  for (let i = 1; i < t.householdSize; i++) {
    members.push(
      i === 1 && t.householdSize > 2
        ? { fechaNacimiento: yearsAgo(ctx, t.birthYearOffset + 2), parentesco: 'CONYUGE' }
        : { fechaNacimiento: yearsAgo(ctx, 2 + i * 3), parentesco: 'HIJO' },
    );
  }
  return members;
}

const BUILDERS: Builders = {
  PADRO: (t, ctx) => {
    if (t.label === 'deceased') {
      return {
        empadronado: false,
        municipio: ctx.municipio,
        motivoBaja: 'DEFUNCION',
        fechaBaja: day(ctx, -1),
        proteccionEspecial: false,
      };
    }
    if (t.label === 'moved_away') {
      return {
        empadronado: false,
        municipio: ctx.municipio,
        motivoBaja: 'CAMBIO_RESIDENCIA',
        fechaBaja: day(ctx, -1),
        proteccionEspecial: false,
      };
    }
    const base = { empadronado: true, municipio: ctx.municipio, fechaAlta: yearsAgo(ctx, t.yearsRegistered) };
    // For a specially protected person the register confirms the registration and withholds the rest.
    if (t.label === 'protected') return { ...base, proteccionEspecial: true };
    return { ...base, proteccionEspecial: false, convivientes: household(t, ctx) };
  },
  PADRO_HISTORIC: (t, ctx) => {
    if (t.label === 'moved_away') {
      return {
        periodos: [
          { municipio: ctx.municipio, desde: yearsAgo(ctx, t.yearsRegistered), hasta: day(ctx, -1) },
          { municipio: '08019', desde: day(ctx, -1, 1), hasta: null },
        ],
      };
    }
    const since = yearsAgo(ctx, t.yearsRegistered);
    if (t.label === 'deceased')
      return { periodos: [{ municipio: ctx.municipio, desde: since, hasta: day(ctx, -1) }] };
    return {
      periodos: [
        { municipio: '08019', desde: yearsAgo(ctx, t.yearsRegistered + 3), hasta: since },
        { municipio: ctx.municipio, desde: since, hasta: null },
      ],
    };
  },
  AEAT_IRPF: (t, ctx) => ({ ejercicio: Number(ctx.fecha.slice(0, 4)) - 1, rentaAnual: t.annualIncome }),
  AEAT_DADES: (t) => ({ alCorriente: t.taxUpToDate, inmuebles: [] }),
  SCSP_TGSS: (t) => ({ alCorriente: t.taxUpToDate, altaLaboral: t.employed }),
  INSS_PRESTACIONS: (t, ctx) => ({
    prestaciones:
      t.label === 'imv_recipient'
        ? [{ codigo: 'IMV', importeMensualCentimos: 60_421, desde: day(ctx, -8) }]
        : [],
  }),
  TSD_INTEGRANTS: (t, ctx) => ({
    integrantes:
      t.label === 'imv_recipient'
        ? [
            { fechaNacimiento: yearsAgo(ctx, 34), titular: true },
            { fechaNacimiento: yearsAgo(ctx, 8), titular: false },
            { fechaNacimiento: yearsAgo(ctx, 5), titular: false },
          ]
        : [],
  }),
  SEPE: (t) =>
    t.label === 'unemployed' ? { percibe: true, importeMensual: 480 } : { percibe: false, importeMensual: 0 },
  SOC: (t, ctx) =>
    t.label === 'unemployed' || !t.employed ? { inscrito: true, desde: day(ctx, -4) } : { inscrito: false },
  RGC_CONSULTA: (t) =>
    t.label === 'rgc_recipient'
      ? { situacion: 'PERCEP', importeMensual: 735.9 }
      : { situacion: 'NO_PERCEP', importeMensual: 0 },
  RGC_CONSULTA_HISTORIC: (t, ctx) => ({
    mensualidades:
      t.label === 'rgc_recipient'
        ? [6, 5, 4, 3, 2, 1].map((m) => ({ mes: day(ctx, -m).slice(0, 7), importe: 735.9 }))
        : [],
  }),
  GRAU_DISCAPACITAT: (t, ctx) =>
    t.label === 'disability' ? { grado: 45, desde: yearsAgo(ctx, 3) } : { grado: 0 },
  DEPENDENCIA: (t) => ({ grado: t.label === 'disability' ? 1 : 0 }),
  TFN: (t, ctx) =>
    t.label === 'large_family'
      ? { titulo: true, categoria: 'especial', vigenteHasta: yearsAgo(ctx, -2) }
      : { titulo: false },
  TFM: (t, ctx) =>
    t.label === 'single_parent' ? { titulo: true, vigenteHasta: yearsAgo(ctx, -1) } : { titulo: false },
};

/** What `service` answers about `holder`, asked with `consent` by the municipality in `ctx`. */
export function answerFor(service: ServiceCode, holder: Holder, consent: Consent, ctx: AskContext): Answer {
  const document = holder.documentacion.toUpperCase();
  const problem = documentNumberProblem(document);
  if (problem || documentTypeOf(document) !== holder.tipoDocumentacion) {
    return {
      code: TransmissionStatus.InvalidDocument,
      literal: `Document no vàlid / Documento no válido: ${problem ?? `no és un ${holder.tipoDocumentacion}`}`,
    };
  }
  if (SERVICES[service].expressConsent && consent !== 'Si') {
    return {
      code: TransmissionStatus.NoConsent,
      literal: 'Cal consentiment exprés per a dades tributàries / Se requiere consentimiento expreso',
    };
  }
  const traits = traitsOf(document);
  if (traits.label === 'objector') {
    return {
      code: TransmissionStatus.NoConsent,
      literal: "El titular s'ha oposat a la consulta / El titular se ha opuesto a la consulta",
    };
  }
  if (traits.label === 'no_data') return notFound(service);
  if (traits.label === 'deceased' && service !== 'PADRO' && service !== 'PADRO_HISTORIC')
    return notFound(service);
  const build = BUILDERS[service] as (t: Traits, c: AskContext) => unknown;
  return { code: TransmissionStatus.Finished, data: build(traits, ctx) };
}
