/**
 * Notices to the person: the acknowledgement (art. 21.4) and the electronic notifications (arts. 40-43).
 * Recorded once per idempotency key; the channels (e-NOTUM, email and SMS alerts) send what is recorded.
 */
import type { PrismaClient } from '../generated/prisma/client';

export interface AcknowledgementInput {
  applicationId: string;
  language: string;
  maxTimeToResolve: string;
  silence: 'approval' | 'refusal';
}

export interface NotificationInput {
  applicationId: string;
  kind: 'document_request' | 'resolution';
  key: string;
  language: string;
  dueDate?: string | undefined;
}

export function createNoticeActivities({ prisma }: { prisma: PrismaClient }) {
  async function record(key: string, applicationId: string, kind: string, language: string, detail: object) {
    await prisma.notice.createMany({
      data: [{ key, applicationId, kind, language, detail }],
      skipDuplicates: true,
    });
  }
  return {
    async sendAcknowledgement(input: AcknowledgementInput): Promise<void> {
      await record(
        `${input.applicationId}:acknowledgement`,
        input.applicationId,
        'acknowledgement',
        input.language,
        {
          maxTimeToResolve: input.maxTimeToResolve,
          silence: input.silence,
        },
      );
    },
    async depositNotification(input: NotificationInput): Promise<void> {
      await record(input.key, input.applicationId, input.kind, input.language, {
        dueDate: input.dueDate ?? null,
      });
    },
  };
}
