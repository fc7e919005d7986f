/**
 * Consultations of other administrations' registries (Llei 39/2015 art. 28.2) through the PCI/SCSP
 * connectors (adapters/scsp). One activity call consults one service for one case, and says what came of it:
 * obtained, or an asynchronous answer still pending (the workflow waits on a durable timer and calls again).
 * Business outcomes (not found, no consent, invalid document) are non-retryable failures: the workflow asks
 * the person instead. Transport trouble is a retryable failure. Every consultation is recorded in
 * `registry_consultation` under the workflow's request id, so a retry updates the same record and a result
 * already obtained for the case is returned without asking again.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { Prisma, PrismaClient } from '../generated/prisma/client';
import type { IsoDate } from '../domain/dates';
import { RejectionType } from '../domain/errors';
import type { RegistryFacts } from '../domain/registries';
import { mayConsult } from '../domain/registries';
import type { ConsentRecordValue } from '../domain/registries';
import { RegistryRequestRefusedError, RegistryUnavailableError } from '../adapters/scsp/client';
import type { ScspClient } from '../adapters/scsp/client';
import { interpret, MalformedServiceDataError } from '../adapters/scsp/interpret';
import { RequestStatus, SERVICES, TransmissionStatus } from '../adapters/scsp/protocol';
import type { Consent, ScspRequest, ServiceCode } from '../adapters/scsp/protocol';

export type { RegistryFacts };

// ---- the one-call interface of the first lifecycle version (kept for cases started under it) -----------

export interface ConsultationRequest {
  applicationId: string;
  municipalityCode: string;
  documentNumber: string;
  /** Checklist items another administration holds, each with its registry service. */
  items: { code: string; registry: string }[];
}

export interface ConsultationResult {
  /** Codes of the checklist items obtained from registries (not asked of the person). */
  obtained: string[];
  facts: RegistryFacts;
}

// ---- one service at a time ----------------------------------------------------------------------------

export interface RegistryConsultationInput {
  /** The PCI/SCSP request id, chosen by the workflow: <application>:p<period>:<service>. */
  requestId: string;
  applicationId: string;
  period: number;
  service: ServiceCode;
  municipalityCode: string;
  /** The procedure code sent to the platform. */
  procedure: string;
  /** The purpose (finalitat) the platform logs. */
  purpose: string;
  consent: Consent;
  /** The official the consultation is made for. */
  requestedBy: string;
  holder: { documentType: 'DNI' | 'NIE'; documentNumber: string };
  /** The date the data must hold on (the filing, or the renewal). */
  referenceDate: IsoDate;
}

export type RegistryConsultationAnswer =
  | { status: 'obtained'; facts: RegistryFacts; proves: boolean; reused: boolean }
  | { status: 'pending'; retryAfterSeconds: number };

export interface ScspDeps {
  client: ScspClient;
  /** NIF of the official responsible for consultations, sent with every request. */
  officialNif: string;
}

/** Business outcomes as recorded, and the rejection each one raises. */
const OUTCOMES = {
  not_found: RejectionType.RegistryNotFound,
  no_consent: RejectionType.RegistryNoConsent,
  invalid_document: RejectionType.RegistryInvalidDocument,
  refused: RejectionType.RegistryRequestRefused,
} as const;
type OutcomeStatus = keyof typeof OUTCOMES;

const TRANSMISSION_OUTCOME: Record<string, OutcomeStatus> = {
  [TransmissionStatus.NotFound]: 'not_found',
  [TransmissionStatus.NoConsent]: 'no_consent',
  [TransmissionStatus.InvalidDocument]: 'invalid_document',
};

/** An asynchronous answer is asked for again after at least this long, whatever the platform estimates. */
const MIN_POLL_SECONDS = 5;
/** When an asynchronous platform gives no estimate, ask again in an hour. */
const DEFAULT_ESTIMATE_HOURS = 1;

export function createRegistryActivities({
  prisma,
  scsp,
}: {
  prisma: PrismaClient;
  scsp?: ScspDeps | undefined;
}) {
  async function settle(requestId: string, status: OutcomeStatus, message: string): Promise<never> {
    await prisma.registryConsultation.update({
      where: { requestId },
      data: { status, outcome: message, answeredAt: new Date() },
    });
    throw ApplicationFailure.create({ type: OUTCOMES[status], message, nonRetryable: true });
  }

  function request(input: RegistryConsultationInput, officialNif: string): ScspRequest {
    return {
      atributos: {
        idPeticion: input.requestId,
        timestamp: new Date().toISOString(),
        codigoCertificado: input.service,
        producto: SERVICES[input.service].product,
        datosAutorizacion: {
          finalidad: input.purpose,
          procedimiento: input.procedure,
          idExpediente: input.applicationId,
          nombreFuncionario: input.requestedBy,
          nifFuncionario: officialNif,
        },
      },
      solicitudes: [
        {
          idTransmision: input.requestId,
          consentimiento: input.consent,
          titular: {
            tipoDocumentacion: input.holder.documentType,
            documentacion: input.holder.documentNumber,
          },
          datosEspecificos: { municipio: input.municipalityCode, fecha: input.referenceDate },
        },
      ],
    };
  }

  return {
    /** The first lifecycle version's call: without its gateway (never configured), nothing is consulted. */
    consultRegistries(_request: ConsultationRequest): Promise<ConsultationResult> {
      return Promise.resolve({ obtained: [], facts: {} });
    },

    async consultRegistry(input: RegistryConsultationInput): Promise<RegistryConsultationAnswer> {
      if (!scsp) {
        throw ApplicationFailure.create({
          type: RejectionType.RegistryNotConfigured,
          message: 'No registry connector is configured (REGISTRY_BASE_URL)',
          nonRetryable: true,
        });
      }
      const { requestId } = input;
      const existing = await prisma.registryConsultation.findUnique({ where: { requestId } });
      if (existing?.status === 'obtained') {
        const kept = existing.result as { facts: RegistryFacts; proves: boolean } | null;
        return { status: 'obtained', facts: kept?.facts ?? {}, proves: kept?.proves ?? true, reused: true };
      }
      if (existing && existing.status in OUTCOMES) {
        const status = existing.status as OutcomeStatus;
        throw ApplicationFailure.create({
          type: OUTCOMES[status],
          message: existing.outcome ?? status,
          nonRetryable: true,
        });
      }
      const now = new Date();
      await prisma.registryConsultation.upsert({
        where: { requestId },
        create: {
          requestId,
          applicationId: input.applicationId,
          period: input.period,
          service: input.service,
          product: SERVICES[input.service].product,
          purpose: input.purpose,
          procedure: input.procedure,
          consent: input.consent,
          requestedBy: input.requestedBy,
          holderDocument: input.holder.documentNumber,
          status: 'requested',
          attempts: 1,
          requestedAt: now,
        },
        update: { attempts: { increment: 1 } },
      });

      // What the person said at filing prevails over what the caller sends: an objection is never overridden.
      const recorded = await prisma.registryConsent.findUnique({
        where: { applicationId_service: { applicationId: input.applicationId, service: input.service } },
      });
      if (recorded && !mayConsult(input.service, recorded.consent as ConsentRecordValue)) {
        return settle(
          requestId,
          'no_consent',
          `Not consulted: the person ${recorded.consent === 'objected' ? 'objected to' : 'gave no express consent for'} ${input.service}`,
        );
      }

      try {
        const pending = existing?.status === 'pending';
        const res = pending
          ? await scsp.client.answer({
              atributos: { idPeticion: requestId, codigoCertificado: input.service },
            })
          : await scsp.client.send(request(input, scsp.officialNif));
        const state = res.atributos.estado;
        if (state.codigoEstado === RequestStatus.Pending || state.codigoEstado === RequestStatus.Processing) {
          await prisma.registryConsultation.update({
            where: { requestId },
            data: { status: 'pending', outcome: null },
          });
          return {
            status: 'pending',
            retryAfterSeconds: Math.max(
              MIN_POLL_SECONDS,
              Math.ceil((state.tiempoEstimadoRespuesta ?? DEFAULT_ESTIMATE_HOURS) * 3600),
            ),
          };
        }
        if (state.codigoEstado !== RequestStatus.Finished) {
          // The platform lost or refused the request as a whole: the next attempt sends it again.
          await prisma.registryConsultation.update({ where: { requestId }, data: { status: 'requested' } });
          throw new RegistryUnavailableError(
            `platform status ${state.codigoEstado}: ${state.literalError ?? 'no detail'}`,
            'platform',
          );
        }
        const transmission =
          res.transmisiones.find((t) => t.idTransmision === requestId) ?? res.transmisiones[0];
        if (!transmission)
          throw new RegistryUnavailableError('finished answer without a transmission', 'malformed');
        const code = transmission.estado.codigoEstado;
        const outcome = TRANSMISSION_OUTCOME[code];
        if (outcome) return settle(requestId, outcome, transmission.estado.literalError ?? code);
        if (code !== TransmissionStatus.Finished) {
          throw new RegistryUnavailableError(`unknown transmission status ${code}`, 'platform');
        }
        const { facts, proves } = interpret(input.service, transmission.datosEspecificos, {
          municipalityCode: input.municipalityCode,
        });
        await prisma.registryConsultation.update({
          where: { requestId },
          data: {
            status: 'obtained',
            outcome: null,
            // Plain JSON data (strings, numbers, booleans), which Prisma's JSON type cannot see from the interface.
            result: { facts, proves } as unknown as Prisma.InputJsonObject,
            answeredAt: new Date(),
          },
        });
        return { status: 'obtained', facts, proves, reused: false };
      } catch (err) {
        if (err instanceof RegistryUnavailableError || err instanceof MalformedServiceDataError) {
          await prisma.registryConsultation.update({
            where: { requestId },
            data: { outcome: err.message, failures: { increment: 1 } },
          });
          throw ApplicationFailure.create({ type: 'RegistryUnavailable', message: err.message });
        }
        if (err instanceof RegistryRequestRefusedError) return settle(requestId, 'refused', err.message);
        throw err;
      }
    },
  };
}
