/**
 * The PCI/SCSP message shape (Via Oberta, AOC; the state's PID), as JSON over HTTP: what the office's
 * connectors send and what the registry simulator answers. One definition for both sides, validated with zod
 * on both sides, so a malformed message is caught where it arrives.
 *
 * A request (`peticion`) carries its attributes (unique request id, timestamp, service code, product,
 * authorisation: purpose, procedure, case and the named official) and one transmission per holder (consent
 * and the holder's document). The answer reports a request status (`0001` pending, `0002` processing,
 * `0003` finished, `0502` error) and, per transmission, either the service's specific data or a business
 * outcome code. Asynchronous services answer `0001`/`0002` with an estimated time; the answer is then
 * asked for with `solicitudRespuesta` and the same request id.
 *
 * The business outcome codes below are the ones this project's connectors and simulator agree on; an
 * integrator pointing the connectors at the real platforms maps the platform's own codes in
 * `activities/registries/connectors.ts` (`outcomeOf`).
 */
import { z } from 'zod';
import type { REGISTRY_SERVICES } from '../../domain/catalogue';
import { isIsoDate } from '../../domain/dates';

export const SCSP_PATHS = {
  request: '/scsp/peticion',
  answer: '/scsp/solicitud-respuesta',
} as const;

export const RequestStatus = {
  Pending: '0001',
  Processing: '0002',
  Finished: '0003',
  Error: '0502',
} as const;

/** Per-transmission outcomes: finished with data, or a business outcome that retrying cannot change. */
export const TransmissionStatus = {
  Finished: '0003',
  /** The holder is not in the registry (no data, deceased, unknown document). */
  NotFound: '0233',
  /** No consent, or the holder objected (art. 28.2), or tax data without express consent. */
  NoConsent: '0301',
  /** The document number is not a valid DNI/NIE or does not match its type. */
  InvalidDocument: '0231',
} as const;
export type TransmissionStatusCode = (typeof TransmissionStatus)[keyof typeof TransmissionStatus];

export const consentSchema = z.enum(['Si', 'NoOpo', 'Ley']);
export type Consent = z.infer<typeof consentSchema>;

// A calendar date that exists: a registry's 2026-02-30 is a malformed answer, not a date to compute with.
const isoDate = z.string().refine(isIsoDate, 'must be a calendar date YYYY-MM-DD');

// ---- service-specific data (datosEspecificos of an answer) ---------------------------------------------

const padro = z.object({
  empadronado: z.boolean(),
  municipio: z.string().regex(/^\d{5}$/),
  fechaAlta: isoDate.optional(),
  /** Why the holder left the register (DEFUNCION: deceased; CAMBIO_RESIDENCIA: moved away). */
  motivoBaja: z.enum(['DEFUNCION', 'CAMBIO_RESIDENCIA']).optional(),
  fechaBaja: isoDate.optional(),
  /** Specially protected person (e.g. gender violence): the address is withheld, the fact confirmed. */
  proteccionEspecial: z.boolean().default(false),
  convivientes: z.array(z.object({ fechaNacimiento: isoDate, parentesco: z.string().min(1) })).optional(),
});

const padroHistoric = z.object({
  periodos: z.array(
    z.object({ municipio: z.string().regex(/^\d{5}$/), desde: isoDate, hasta: isoDate.nullable() }),
  ),
});

/** C4: income for social benefits, in euros per year of the last closed tax year. */
const aeatIrpf = z.object({ ejercicio: z.number().int(), rentaAnual: z.number().nonnegative() });

const aeatDades = z.object({
  /** ECOT103: up to date with tax obligations. */
  alCorriente: z.boolean(),
  /** INFOCAT: cadastral assets. */
  inmuebles: z
    .array(z.object({ uso: z.enum(['vivienda_habitual', 'otro']), valorCatastral: z.number().nonnegative() }))
    .default([]),
});

const tgss = z.object({ alCorriente: z.boolean(), altaLaboral: z.boolean() });

/** Public benefits registry: amounts in cents per month. */
const inssPrestacions = z.object({
  prestaciones: z.array(
    z.object({
      codigo: z.string().min(1),
      importeMensualCentimos: z.number().int().nonnegative(),
      desde: isoDate,
    }),
  ),
});

const tsdIntegrants = z.object({
  integrantes: z.array(z.object({ fechaNacimiento: isoDate, titular: z.boolean() })),
});

const sepe = z.object({ percibe: z.boolean(), importeMensual: z.number().nonnegative().default(0) });

const soc = z.object({ inscrito: z.boolean(), desde: isoDate.optional() });

const rgc = z.object({
  situacion: z.enum(['PERCEP', 'NO_PERCEP', 'SENSE_INFO']),
  importeMensual: z.number().nonnegative().default(0),
});

const rgcHistoric = z.object({
  mensualidades: z.array(
    z.object({ mes: z.string().regex(/^\d{4}-\d{2}$/), importe: z.number().nonnegative() }),
  ),
});

const discapacitat = z.object({ grado: z.number().int().min(0).max(100), desde: isoDate.optional() });
const dependencia = z.object({ grado: z.number().int().min(0).max(3) });
const titolFamilia = z.object({
  titulo: z.boolean(),
  categoria: z.enum(['general', 'especial']).optional(),
  vigenteHasta: isoDate.optional(),
});

/**
 * The services an OGPS consults (domain.md): code, product, whether it needs express consent (tax data),
 * whether the platform answers it asynchronously by default, and the shape of its specific data.
 */
export const SERVICES = {
  PADRO: { product: 'CONVIVENTS', expressConsent: false, data: padro },
  PADRO_HISTORIC: { product: 'HISTORIC', expressConsent: false, data: padroHistoric },
  AEAT_IRPF: { product: 'C4', expressConsent: true, data: aeatIrpf },
  AEAT_DADES: { product: 'ECOT103', expressConsent: true, data: aeatDades },
  SCSP_TGSS: { product: 'DEUTE_ALTA', expressConsent: false, data: tgss },
  INSS_PRESTACIONS: { product: 'PRESTACIONS_SOCIALS', expressConsent: false, data: inssPrestacions },
  TSD_INTEGRANTS: { product: 'IMV_UNITAT', expressConsent: false, data: tsdIntegrants },
  SEPE: { product: 'PRESTACIO_ATURA', expressConsent: false, data: sepe },
  SOC: { product: 'DEMANDANT', expressConsent: false, data: soc },
  RGC_CONSULTA: { product: 'RGC', expressConsent: false, data: rgc },
  RGC_CONSULTA_HISTORIC: { product: 'RGC_HISTORIC', expressConsent: false, data: rgcHistoric },
  GRAU_DISCAPACITAT: { product: 'GRAU', expressConsent: false, data: discapacitat },
  DEPENDENCIA: { product: 'GRAU', expressConsent: false, data: dependencia },
  TFN: { product: 'TITOL', expressConsent: false, data: titolFamilia },
  TFM: { product: 'TITOL', expressConsent: false, data: titolFamilia },
} as const satisfies Record<
  (typeof REGISTRY_SERVICES)[number],
  { product: string; expressConsent: boolean; data: z.ZodType }
>;
export type ServiceCode = keyof typeof SERVICES;
export const SERVICE_CODES = Object.keys(SERVICES) as [ServiceCode, ...ServiceCode[]];
export type ServiceData<S extends ServiceCode> = z.infer<(typeof SERVICES)[S]['data']>;

// ---- messages ------------------------------------------------------------------------------------------

export const holderSchema = z.object({
  tipoDocumentacion: z.enum(['DNI', 'NIE']),
  documentacion: z.string().min(1).max(20),
});

export const requestSchema = z.object({
  atributos: z.object({
    idPeticion: z.string().min(1).max(100),
    timestamp: z.string().min(1),
    codigoCertificado: z.enum(SERVICE_CODES),
    producto: z.string().min(1),
    datosAutorizacion: z.object({
      finalidad: z.string().min(1),
      procedimiento: z.string().min(1),
      idExpediente: z.string().min(1),
      nombreFuncionario: z.string().min(1),
      nifFuncionario: z.string().min(1),
    }),
  }),
  solicitudes: z
    .array(
      z.object({
        idTransmision: z.string().min(1),
        consentimiento: consentSchema,
        titular: holderSchema,
        /** Service-specific request data: the municipality of the case, a reference date. */
        datosEspecificos: z
          .object({ municipio: z.string().optional(), fecha: isoDate.optional() })
          .optional(),
      }),
    )
    .min(1),
});
export type ScspRequest = z.infer<typeof requestSchema>;

export const answerRequestSchema = z.object({
  atributos: z.object({ idPeticion: z.string().min(1).max(100), codigoCertificado: z.enum(SERVICE_CODES) }),
});
export type ScspAnswerRequest = z.infer<typeof answerRequestSchema>;

const statusSchema = z.object({
  codigoEstado: z.string().regex(/^\d{4}$/),
  literalError: z.string().optional(),
  /** Asynchronous answers: estimated time until the answer is ready, in hours (fractions allowed). */
  tiempoEstimadoRespuesta: z.number().nonnegative().optional(),
});

export const responseSchema = z.object({
  atributos: z.object({
    idPeticion: z.string().min(1),
    codigoCertificado: z.enum(SERVICE_CODES),
    timestamp: z.string().min(1),
    estado: statusSchema,
  }),
  transmisiones: z
    .array(
      z.object({
        idTransmision: z.string().min(1),
        estado: statusSchema,
        /** Validated per service by the connector (SERVICES[code].data). */
        datosEspecificos: z.unknown().optional(),
      }),
    )
    .default([]),
});
export type ScspResponse = z.infer<typeof responseSchema>;
