/**
 * A case of the application workflow driven without I/O: typed fake activities (they record what the workflow
 * asked for, obtain registry documents or not, and fail payments on demand), a filing of Sabadell on the
 * test server's day, and households to declare. Shared by the workflow tests (test/helpers/lifecycle.ts) and
 * the history benchmark (bench/history.ts).
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Activities } from '../../activities';
import type { NotificationInput } from '../../activities/notices';
import type { AlertInput, ReminderInput } from '../../activities/reminders';
import type {
  CaseViewInput,
  RecordEventInput,
  RecordStepInput,
  RecordTransitionInput,
} from '../../activities/projection';
import type { RegistryConsultationInput, RegistryFacts } from '../../activities/registries';
import type { PaymentOrderInput } from '../../activities/treasury';
import type { ApplicationInput } from '../../domain/application';
import { calendarDataFor } from '../../domain/calendar';
import { pinBenefit } from '../../domain/catalogue';
import { officeDateOf, plusMonths } from '../../domain/dates';
import { loadReferenceData } from '../../adapters/reference-data';

const reference = loadReferenceData();

/** The registry service each checklist document comes from, as the catalogue says. */
const serviceOfDocument = new Map(
  reference.catalogue.flatMap((v) =>
    v.benefits.flatMap((b) => b.requiredDocuments.flatMap((d) => (d.registry ? [[d.code, d.registry]] : []))),
  ) as [string, string][],
);

export interface FakeOptions {
  /** Checklist codes the registries provide; default: all they are asked for. */
  obtained?: string[];
  facts?: RegistryFacts;
  /** The treasury fails this many payment attempts before accepting. */
  paymentFailures?: number;
  /** Documents handed in with the filing; default: every one no registry holds. */
  attached?: string[];
  /** The registries are unavailable from this attempt on (1: from the first), until `registriesBackAt`. */
  registriesDownFrom?: number;
  registriesBackAt?: number;
  /** Only consultations of this stage fail (the filing's, or the renewal's). */
  registriesDownStage?: 'filing' | 'renewal';
  /** Services that answer with a business outcome (a RejectionType such as RegistryNotFound). */
  registryOutcomes?: Record<string, string>;
  /** Services that answer asynchronously: pending this many times before the answer. */
  asyncPolls?: Record<string, number>;
}

export function fakeActivities(opts: FakeOptions = {}) {
  const calls = {
    transitions: [] as RecordTransitionInput[],
    events: [] as RecordEventInput[],
    views: [] as CaseViewInput[],
    steps: [] as RecordStepInput[],
    notifications: [] as NotificationInput[],
    acknowledgements: 0,
    paymentAttempts: 0,
    registryAttempts: 0,
    consultations: [] as RegistryConsultationInput[],
    /** Reminders as the workflow sent them, with the (skipped) server time they were scheduled at. */
    reminders: [] as (ReminderInput & { at: string })[],
    alerts: [] as AlertInput[],
    /** Orders the treasury accepted, once per key: what would actually be paid. */
    payments: new Map<string, PaymentOrderInput>(),
  };
  let failuresLeft = opts.paymentFailures ?? 0;
  const activities: Activities = {
    async recordApplication() {},
    // The retention workflow's (workflows/retention.ts); an application workflow never calls it.
    async anonymiseDueCases() {
      return { anonymised: 0, moreDue: false, nextDueAt: null };
    },
    async recordTransition(input) {
      calls.transitions.push(input);
    },
    async recordEvent(input) {
      calls.events.push(input);
    },
    async recordCaseView(input) {
      calls.views.push(input);
    },
    async recordStep(input) {
      calls.events.push(...(input.events ?? []));
      calls.steps.push(input);
      calls.transitions.push(input.transition);
      calls.views.push(input.view);
    },
    async sendAcknowledgement() {
      calls.acknowledgements++;
    },
    async depositNotification(input) {
      calls.notifications.push(input);
    },
    async orderPayment(input) {
      calls.paymentAttempts++;
      if (failuresLeft > 0) {
        failuresLeft--;
        throw new Error('treasury service unavailable');
      }
      const created = !calls.payments.has(input.key);
      if (created) calls.payments.set(input.key, input);
      return { key: input.key, created };
    },
    async consultRegistries({ items }) {
      return {
        obtained: opts.obtained ?? items.map((i) => i.code),
        facts: opts.facts ?? { registeredInMunicipality: true, benefitsReceived: { IMV: 0, RGC: 0 } },
      };
    },
    async consultRegistry(input) {
      const attempt = ++calls.registryAttempts;
      calls.consultations.push(input);
      const { registriesDownFrom: from, registriesBackAt: back } = opts;
      const stage = opts.registriesDownStage;
      const down = from !== undefined && attempt >= from && (back === undefined || attempt < back);
      if (down && (!stage || input.requestId.includes(`:${stage}:`))) {
        throw new Error('registry gateway unavailable');
      }
      const outcome = opts.registryOutcomes?.[input.service];
      if (outcome) throw ApplicationFailure.create({ type: outcome, message: outcome, nonRetryable: true });
      const polls = opts.asyncPolls?.[input.service] ?? 0;
      if (calls.consultations.filter((c) => c.requestId === input.requestId).length <= polls) {
        return { status: 'pending', retryAfterSeconds: 3600 };
      }
      const documents = [...serviceOfDocument].filter(([, s]) => s === input.service).map(([code]) => code);
      return {
        status: 'obtained',
        facts: opts.facts ?? { registeredInMunicipality: true, benefitsReceived: { IMV: 0, RGC: 0 } },
        proves: opts.obtained === undefined || documents.some((d) => opts.obtained?.includes(d)),
        reused: false,
      };
    },
    async sendReminder(input) {
      calls.reminders.push({
        ...input,
        at: new Date(Context.current().info.scheduledTimestampMs).toISOString(),
      });
      return { sent: 1, alreadySent: 0, failed: 0, noChannel: 0 };
    },
    async sendEscalation() {
      return { sent: 1, alreadySent: 0, failed: 0, noChannel: 0 };
    },
    async sendNotificationAlert(input) {
      calls.alerts.push(input);
      return { sent: 1, alreadySent: 0, failed: 0, noChannel: 0 };
    },
    async pinCatalogue({ municipalityCode, benefitCode, on }) {
      return pinBenefit(reference.catalogue, municipalityCode, benefitCode, on) ?? null;
    },
    async loadCalendar({ municipalityCode }) {
      return calendarDataFor(reference.calendar, [municipalityCode]);
    },
  };
  return {
    calls,
    activities,
    eventTypes: () => calls.events.map((e) => e.type),
    /**
     * The newest case view by its version, as the projection keeps it: activities may run in another order
     * than the workflow scheduled them (several at once), so the last one recorded is not always the newest.
     */
    latestView: () => [...calls.views].sort((a, b) => (a.version < b.version ? -1 : 1)).at(-1),
  };
}

/** A filing on the test server's current day, for a benefit of Sabadell's catalogue. */
export async function caseInput(
  env: TestWorkflowEnvironment,
  applicationId: string,
  benefitCode: ApplicationInput['benefitCode'],
  declared: Declared,
  attached?: string[],
): Promise<ApplicationInput> {
  const on = officeDateOf(new Date((await env.currentTimeMs()).valueOf()));
  const pinned = pinBenefit(reference.catalogue, '08187', benefitCode, on);
  if (!pinned) throw new Error(`no ${benefitCode} in force on ${on}`);
  return {
    applicationId,
    municipalityCode: '08187',
    benefitCode,
    applicant: {
      firstName: 'Aina',
      lastName: 'Ferrer',
      documentType: 'DNI',
      documentNumber: '12345678Z',
      language: 'ca',
    },
    declared: declared(on),
    attachedDocuments:
      attached ?? pinned.benefit.requiredDocuments.filter((d) => !d.registry).map((d) => d.code),
    submittedAt: new Date((await env.currentTimeMs()).valueOf()).toISOString(),
    effectiveFilingDate: on,
    pinned,
    calendar: calendarDataFor(reference.calendar, ['08187']),
    consent: { objections: [], taxConsent: true },
    submittedBy: 'admin-1',
    assignee: 'sw-1',
  };
}

/** Declared facts relative to the filing date: the shared test server's clock moves as other tests skip time. */
export type Declared = (on: string) => ApplicationInput['declared'];

const yearsBefore = (on: string, years: number): string => plusMonths(on, -12 * years);

/** A household of two adults (40 and 42) and two children (11 and 8), under every threshold. */
export const FAMILY: Declared = (on) => ({
  birthDate: yearsBefore(on, 40),
  household: [
    { role: 'applicant', birthDate: yearsBefore(on, 40) },
    { role: 'member', birthDate: yearsBefore(on, 42) },
    { role: 'member', birthDate: yearsBefore(on, 11) },
    { role: 'member', birthDate: yearsBefore(on, 8) },
  ],
  monthlyIncome: 1100,
  savings: 500,
  cost: 650,
  residenceSince: yearsBefore(on, 7),
});

/** A parent (40) and a child (8) living on 600 € including the IMV. */
export const PARENT_AND_CHILD: Declared = (on) => ({
  ...FAMILY(on),
  household: [
    { role: 'applicant', birthDate: yearsBefore(on, 40) },
    { role: 'member', birthDate: yearsBefore(on, 8) },
  ],
  monthlyIncome: 600,
});
