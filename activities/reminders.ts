/**
 * Reminders and notification alerts through the channels (email over SMTP, SMS through the gateway), sent
 * once per key: each message is a `notice_delivery` row, marked before the channel is asked and after it
 * accepted, so a retried activity, a crashed worker or a replayed workflow skips what already went out.
 * The narrow gap between a channel accepting and the row saying so is the one place a message could go
 * twice (a crash exactly there); the Message-ID and the SMS reference carry the key so that receivers can
 * discard a duplicate.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Prisma, PrismaClient } from '../generated/prisma/client';
import type { DeadlineKind } from '../domain/deadlines';
import { isReminded } from '../domain/reminders';
import type { ReminderAudience } from '../domain/reminders';
import { renderEscalation, renderNotificationAlert, renderReminder } from '../domain/templates';
import type { Language, RenderedMessage } from '../domain/templates';
import { MailTemporaryError } from '../adapters/channels/mail';
import type { Mailer } from '../adapters/channels/mail';
import { SmsRejectedError, SmsTemporaryError } from '../adapters/channels/sms';
import type { SmsGateway } from '../adapters/channels/sms';

export interface Channels {
  mail?: Mailer | undefined;
  sms?: SmsGateway | undefined;
}

export interface ReminderInput {
  key: string;
  applicationId: string;
  municipalityCode: string;
  benefitCode: string;
  deadline: DeadlineKind;
  dueDate: string;
  audience: ReminderAudience;
  businessDaysBefore: number;
  language: string;
  legalBasis: { law: string; article: string }[];
  assignee?: string | undefined;
  citizen?: { email?: string | undefined; phone?: string | undefined } | undefined;
}

export interface EscalationInput {
  key: string;
  applicationId: string;
  municipalityCode: string;
  assignee?: string | undefined;
  by: string;
  reason: string;
}

export interface AlertInput {
  key: string;
  applicationId: string;
  language: string;
  acceptBy: string;
  email?: string | undefined;
  phone?: string | undefined;
}

type Recipient = { channel: 'email'; address: string } | { channel: 'sms'; number: string };

export interface DeliverySummary {
  sent: number;
  alreadySent: number;
  failed: number;
  noChannel: number;
}

const language = (l: string): Language => (l === 'es' ? 'es' : 'ca');

export function createReminderActivities({
  prisma,
  channels = {},
}: {
  prisma: PrismaClient;
  channels?: Channels;
}) {
  /** Sends one message on one channel, once per key. */
  async function deliver(
    noticeKey: string,
    applicationId: string,
    to: Recipient,
    message: RenderedMessage,
    summary: DeliverySummary,
  ): Promise<void> {
    const recipient = to.channel === 'email' ? to.address : to.number;
    const key = `${noticeKey}:${to.channel}:${recipient}`;
    const existing = await prisma.noticeDelivery.findUnique({ where: { key } });
    if (existing && ['sent', 'delivered', 'failed', 'no_channel'].includes(existing.status)) {
      summary.alreadySent++;
      return;
    }
    const channel = to.channel === 'email' ? channels.mail : channels.sms;
    await prisma.noticeDelivery.upsert({
      where: { key },
      create: {
        key,
        noticeKey,
        applicationId,
        channel: to.channel,
        recipient,
        status: channel ? 'sending' : 'no_channel',
        attempts: channel ? 1 : 0,
      },
      update: { status: 'sending', attempts: { increment: 1 } },
    });
    if (!channel) {
      summary.noChannel++;
      return;
    }
    try {
      const providerId =
        to.channel === 'email'
          ? (await channels.mail!.send({ to: to.address, subject: message.subject, text: message.text, key }))
              .messageId
          : (await channels.sms!.send({ to: to.number, text: message.sms, reference: key })).id;
      await prisma.noticeDelivery.update({
        where: { key },
        data: { status: 'sent', providerId, sentAt: new Date(), error: null },
      });
      summary.sent++;
    } catch (err) {
      const message_ = err instanceof Error ? err.message : String(err);
      if (err instanceof MailTemporaryError || err instanceof SmsTemporaryError) {
        await prisma.noticeDelivery.update({ where: { key }, data: { error: message_ } });
        // Retried by Temporal: the channel may be back soon.
        throw ApplicationFailure.create({ type: 'ChannelUnavailable', message: message_ });
      }
      if (err instanceof SmsRejectedError || (err as { responseCode?: number }).responseCode) {
        await prisma.noticeDelivery.update({ where: { key }, data: { status: 'failed', error: message_ } });
        summary.failed++;
        return;
      }
      throw err;
    }
  }

  /** The staff a staff reminder goes to: the assignee, or the municipality's coordinators. */
  async function staffRecipients(
    input: Pick<ReminderInput, 'audience' | 'assignee' | 'municipalityCode'>,
  ): Promise<Recipient[]> {
    const toCoordinators = input.audience === 'coordinator' || !input.assignee;
    const staff = toCoordinators
      ? await prisma.staffMember.findMany({
          where: { role: 'coordinator', active: true, municipalities: { has: input.municipalityCode } },
          orderBy: { id: 'asc' },
        })
      : await prisma.staffMember.findMany({ where: { id: input.assignee!, active: true } });
    return staff.flatMap((s) => (s.email ? [{ channel: 'email' as const, address: s.email }] : []));
  }

  function citizenRecipients(contact: { email?: string | undefined; phone?: string | undefined } = {}) {
    return [
      ...(contact.email ? [{ channel: 'email' as const, address: contact.email }] : []),
      ...(contact.phone ? [{ channel: 'sms' as const, number: contact.phone.replace(/\s/g, '') }] : []),
    ];
  }

  /** What was sent goes on the case's timeline, once per notice key. */
  async function onTimeline(
    applicationId: string,
    eventKey: string,
    type: string,
    detail: Record<string, unknown>,
  ): Promise<void> {
    await prisma.applicationEvent.createMany({
      data: [
        {
          applicationId,
          eventKey,
          type,
          actor: 'system',
          detail: detail as Prisma.InputJsonObject,
          occurredAt: new Date(),
        },
      ],
      skipDuplicates: true,
    });
  }

  return {
    async sendReminder(input: ReminderInput): Promise<DeliverySummary> {
      if (!isReminded(input.deadline)) {
        throw ApplicationFailure.create({
          type: 'InvalidInput',
          message: `no reminders for ${input.deadline}`,
          nonRetryable: true,
        });
      }
      const recipients =
        input.audience === 'citizen' ? citizenRecipients(input.citizen) : await staffRecipients(input);
      const message = renderReminder({
        applicationId: input.applicationId,
        deadline: input.deadline,
        dueDate: input.dueDate,
        audience: input.audience,
        language: language(input.language),
        legalBasis: input.legalBasis.map((b) => `${b.law}, art. ${b.article}`),
        escalation: input.audience === 'coordinator',
      });
      const summary: DeliverySummary = { sent: 0, alreadySent: 0, failed: 0, noChannel: 0 };
      for (const to of recipients) await deliver(input.key, input.applicationId, to, message, summary);
      await onTimeline(
        input.applicationId,
        input.key,
        recipients.length > 0 ? 'reminder_sent' : 'reminder_no_contact',
        {
          deadline: input.deadline,
          dueDate: input.dueDate,
          audience: input.audience,
          channels: recipients.map((r) => r.channel),
        },
      );
      return summary;
    },

    /** An escalation, by email to the municipality's coordinators and the case's assignee. */
    async sendEscalation(input: EscalationInput): Promise<DeliverySummary> {
      const coordinators = await staffRecipients({ ...input, audience: 'coordinator' });
      const assignee = input.assignee ? await staffRecipients({ ...input, audience: 'assignee' }) : [];
      const recipients = [
        ...new Map([...coordinators, ...assignee].map((r) => [JSON.stringify(r), r])).values(),
      ];
      const summary: DeliverySummary = { sent: 0, alreadySent: 0, failed: 0, noChannel: 0 };
      const message = renderEscalation(input);
      for (const to of recipients) await deliver(input.key, input.applicationId, to, message, summary);
      await onTimeline(input.applicationId, input.key, 'escalation_sent', {
        recipients: recipients.length,
      });
      return summary;
    },

    /** The courtesy email and SMS that a notification was deposited: failures never hold the procedure. */
    async sendNotificationAlert(input: AlertInput): Promise<DeliverySummary> {
      const message = renderNotificationAlert({
        applicationId: input.applicationId,
        language: language(input.language),
        acceptBy: input.acceptBy,
      });
      const summary: DeliverySummary = { sent: 0, alreadySent: 0, failed: 0, noChannel: 0 };
      const recipients = citizenRecipients(input);
      for (const to of recipients) await deliver(input.key, input.applicationId, to, message, summary);
      if (recipients.length > 0) {
        await onTimeline(input.applicationId, input.key, 'notification_alert_sent', {
          channels: recipients.map((r) => r.channel),
        });
      }
      return summary;
    },
  };
}
