/**
 * Projection of workflow state into PostgreSQL. Every write is idempotent: an event carries a key chosen by
 * the workflow, and a retried activity finds its event already there and changes nothing.
 */
import type { PrismaClient } from '../generated/prisma/client';
import type { ApplicationInput, ApplicationState } from '../domain/application';
import { isClosed } from '../domain/application';

export interface RecordApplicationInput extends ApplicationInput {
  eventKey: string;
  registeredAt: string;
}

export interface RecordTransitionInput {
  applicationId: string;
  eventKey: string;
  type: string;
  from: ApplicationState;
  to: ApplicationState;
  actor?: string | undefined;
  note?: string | undefined;
  at: string;
}

export function createProjectionActivities({ prisma }: { prisma: PrismaClient }) {
  return {
    async recordApplication(input: RecordApplicationInput): Promise<void> {
      const registeredAt = new Date(input.registeredAt);
      await prisma.$transaction(async (tx) => {
        await tx.application.upsert({
          where: { id: input.applicationId },
          create: {
            id: input.applicationId,
            municipalityCode: input.municipalityCode,
            benefitCode: input.benefitCode,
            state: 'registered',
            applicantName: `${input.applicant.firstName} ${input.applicant.lastName}`,
            applicantDocument: input.applicant.documentNumber,
            language: input.applicant.language,
            submittedAt: new Date(input.submittedAt),
            effectiveFilingDate: new Date(`${input.effectiveFilingDate}T00:00:00Z`),
            catalogueVersion: input.pinned.version,
            registeredAt,
          },
          update: {},
        });
        await tx.applicationEvent.createMany({
          data: [
            {
              applicationId: input.applicationId,
              eventKey: input.eventKey,
              type: 'registered',
              fromState: 'submitted',
              toState: 'registered',
              actor: input.submittedBy,
              occurredAt: registeredAt,
            },
          ],
          skipDuplicates: true,
        });
      });
    },

    async recordTransition(input: RecordTransitionInput): Promise<void> {
      const at = new Date(input.at);
      await prisma.$transaction(async (tx) => {
        const { count } = await tx.applicationEvent.createMany({
          data: [
            {
              applicationId: input.applicationId,
              eventKey: input.eventKey,
              type: input.type,
              fromState: input.from,
              toState: input.to,
              actor: input.actor ?? null,
              detail: input.note ? { note: input.note } : undefined,
              occurredAt: at,
            },
          ],
          skipDuplicates: true,
        });
        if (count === 0) return; // already projected by an earlier attempt
        await tx.application.update({
          where: { id: input.applicationId },
          data: { state: input.to, ...(isClosed(input.to) ? { closedAt: at } : {}) },
        });
      });
    },
  };
}
