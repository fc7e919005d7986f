/**
 * Intake: registration and acknowledgement, then completeness: the registries first (each service through
 * the PCI/SCSP connectors, in rounds while it is unavailable), and a request to remedy for what they cannot
 * provide. Also the updates of that phase: documents delivered, and the one extension of the period.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  patched,
} from '@temporalio/workflow';
import type { RegistryConsultationAnswer, RegistryConsultationInput } from '../../activities/registries';
import type {
  ApplicationStatus,
  DocumentRequestStatus,
  RegistryConsultationStatus,
} from '../../domain/application';
import {
  computeDeadline,
  DeadlineRuleError,
  extendDeadline,
  pauseDeadline,
  resumeDeadline,
} from '../../domain/deadlines';
import { documentChecklist } from '../../domain/documents';
import type { ChecklistItem } from '../../domain/documents';
import { householdComposition } from '../../domain/eligibility';
import { REGISTRY_OUTCOMES, RejectionType } from '../../domain/errors';
import { mergeFacts } from '../../domain/registries';
import type { RegistryFacts } from '../../domain/registries';
import { LEGAL_PERIODS, SERVICE_LEVELS } from '../../domain/lifecycle';
import { expiryOf, nowIso, nowMs, today } from '../clock';
import type { ExtendDocumentDeadlineRequest, SubmitDocumentsRequest } from '../messages';
import { notices, projection, registries, registryRound } from './activities';
import { REGISTRY_CONNECTORS_PATCH, REGISTRY_SINCE_PATCH } from './patches';
import { CaseClosed, reject } from './run';
import type { ApplicationRun, RunUpdate } from './run';

type RegistryItem = ChecklistItem & { registry: string };

interface Consulted {
  obtained: string[];
  facts: RegistryFacts;
  unavailable?: string;
}

export async function register(run: ApplicationRun): Promise<void> {
  const { input, status } = run;
  const registeredAt = nowIso();
  await projection.recordApplication({ ...input, eventKey: run.nextKey('registered'), registeredAt });
  status.registeredAt = registeredAt;
  status.state = 'registered';
  status.history.push({ at: registeredAt, type: 'registered', from: 'submitted', to: 'registered' });
  // Art. 21: the maximum time to resolve counts from entry in the registry (the effective filing date).
  run.maxTime = computeDeadline(run.calendar, {
    from: input.effectiveFilingDate,
    amount: input.pinned.benefit.maxTimeToResolve.amount,
    unit: 'months',
  });
  run.setDeadline('max_time_to_resolve', run.maxTime);
  await notices.sendAcknowledgement({
    applicationId: input.applicationId,
    language: input.applicant.language,
    maxTimeToResolve: run.maxTime.deadline,
    silence: input.pinned.benefit.silence,
  });
  status.acknowledgedAt = nowIso();
  await run.recordEvent('acknowledged', undefined, `maximum time to resolve: ${run.maxTime.deadline}`);
  await run.publishView();
}

/** Registries first (art. 28.2); what they cannot provide is requested from the person. True when complete. */
export async function completeness(
  run: ApplicationRun,
  stage: 'filing' | 'renewal' = 'filing',
): Promise<boolean> {
  const { input } = run;
  const household = householdComposition({ ...run.eligibilityFacts(), asOf: input.effectiveFilingDate });
  const checklist = documentChecklist(
    input.pinned.benefit,
    {
      children: household.children > 0,
      disability: false,
      dependency: false,
      largeFamily: false,
      singleParent: false,
    },
    input.consent,
  );
  const items = checklist.filter((c): c is RegistryItem => c.registry !== undefined);
  const consulted = patched(REGISTRY_CONNECTORS_PATCH)
    ? await consultEachService(run, items, stage)
    : await consultAllAtOnce(run, items);
  // Withdrawn while the registries were consulted: nothing more is asked of the applicant.
  if (run.closed()) throw new CaseClosed();
  if (consulted.unavailable)
    await run.recordEvent('registries_unavailable', undefined, consulted.unavailable);
  run.registryFacts = consulted.facts;
  const attached = input.attachedDocuments ?? [];
  const missing = checklist.filter((c) => !consulted.obtained.includes(c.code) && !attached.includes(c.code));
  if (missing.length === 0) return true;
  return requestDocuments(run, missing);
}

/** The first version's single call for every registry (cases recorded before the connectors). */
async function consultAllAtOnce(run: ApplicationRun, items: RegistryItem[]): Promise<Consulted> {
  const { input } = run;
  try {
    return await registries.consultRegistries({
      applicationId: input.applicationId,
      municipalityCode: input.municipalityCode,
      documentNumber: input.applicant.documentNumber,
      items,
    });
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    return {
      obtained: [],
      facts: {},
      unavailable: `${items.map((i) => i.code).join(', ')}: ${err.cause?.message ?? err.message}`,
    };
  }
}

/** Each registry service once, all at the same time; what each one provides counts as obtained. */
async function consultEachService(
  run: ApplicationRun,
  items: RegistryItem[],
  stage: 'filing' | 'renewal',
): Promise<Consulted> {
  const { status } = run;
  const services = new Map<string, { documents: string[]; consent: 'Si' | 'NoOpo' | 'Ley' }>();
  for (const item of items) {
    const entry = services.get(item.registry) ?? { documents: [], consent: item.consent ?? 'NoOpo' };
    entry.documents.push(item.code);
    if (item.consent === 'Si') entry.consent = 'Si';
    services.set(item.registry, entry);
  }
  status.registries = [];
  status.blockedOn = undefined;
  // A withdrawal stops the consultations: what is in flight or waiting to be retried is cancelled, so that
  // no consultation outlives the case.
  const scope = new CancellationScope();
  void condition(() => run.closed()).then(() => scope.cancel());
  let results: ServiceResult[];
  try {
    results = await scope.run(() =>
      Promise.all(
        [...services].map(([service, { documents, consent }]) =>
          consultService(run, service, documents, consent, stage),
        ),
      ),
    );
  } catch (err) {
    if (run.closed()) throw new CaseClosed();
    throw err;
  }
  const unavailable = results.flatMap((r) => (r.unavailable ? [`${r.service}: ${r.unavailable}`] : []));
  return {
    obtained: results.flatMap((r) => (r.obtained ? r.documents : [])),
    facts: results.reduce<RegistryFacts>((f, r) => mergeFacts(f, r.facts), {}),
    ...(unavailable.length > 0 ? { unavailable: unavailable.join('; ') } : {}),
  };
}

/** Moves one consultation on; says whether the case became blocked or unblocked (worth a case view). */
function trackRegistry(
  run: ApplicationRun,
  entry: RegistryConsultationStatus,
  state: RegistryConsultationStatus['state'],
  detail?: string,
): boolean {
  const { status } = run;
  const wasBlocked = entry.state === 'unavailable';
  run.registrySinceOnChange ??= patched(REGISTRY_SINCE_PATCH);
  if (entry.state !== state || !run.registrySinceOnChange) entry.since = nowIso();
  entry.state = state;
  entry.detail = detail;
  const blocked = (status.registries ?? []).filter((r) => r.state === 'unavailable').map((r) => r.service);
  status.blockedOn = blocked.length > 0 ? blocked : undefined;
  return wasBlocked !== (state === 'unavailable');
}

interface ServiceResult {
  service: string;
  documents: string[];
  obtained: boolean;
  facts: RegistryFacts;
  /** Why it was given up on while unavailable (the fallback), for the case's timeline. */
  unavailable?: string;
}

/**
 * One service: asked; an asynchronous answer awaited on durable timers; asked again in rounds while it is
 * unavailable (the case shows as blocked on it), until it answers or the office's fallback time passes. A
 * business outcome (not found, no consent, invalid document) ends it at once: the person is asked instead.
 */
async function consultService(
  run: ApplicationRun,
  service: string,
  documents: string[],
  consent: 'Si' | 'NoOpo' | 'Ley',
  stage: 'filing' | 'renewal',
): Promise<ServiceResult> {
  const { input, status } = run;
  const entry: RegistryConsultationStatus = { service, state: 'consulting', since: nowIso(), documents };
  status.registries = [...(status.registries ?? []), entry];
  const fallbackHours = input.registryFallbackHours ?? SERVICE_LEVELS.registryFallbackHours;
  const giveUpAt = nowMs() + fallbackHours * 3_600_000;
  // Waits for the next round; a coordinator's "retry now" ends the wait early.
  const pause = async (ms: number): Promise<void> => {
    const until = nowMs() + ms;
    const asked = run.retryNowRequests;
    await run.waitFor(
      () => run.retryNowRequests !== asked,
      () => until,
    );
  };
  const giveUp = async (detail: string, unavailable: boolean): Promise<ServiceResult> => {
    if (trackRegistry(run, entry, 'not_obtained', detail) || unavailable) await run.publishView();
    return {
      service,
      documents,
      obtained: false,
      facts: {},
      ...(unavailable ? { unavailable: detail } : {}),
    };
  };
  for (let round = 0; ; round++) {
    let answer: RegistryConsultationAnswer;
    try {
      answer = await registryRound.consultRegistry({
        requestId: `${input.applicationId}:p${status.period}:${stage}:${service}`,
        applicationId: input.applicationId,
        period: status.period,
        service: service as RegistryConsultationInput['service'],
        municipalityCode: input.municipalityCode,
        procedure: `OGPS-${input.benefitCode}`,
        purpose: `Comprovació de requisits, expedient ${input.applicationId} / Comprobación de requisitos`,
        consent,
        requestedBy: status.assignee ?? input.submittedBy,
        holder: {
          documentType: input.applicant.documentType,
          documentNumber: input.applicant.documentNumber,
        },
        referenceDate: stage === 'filing' ? input.effectiveFilingDate : today(),
      });
    } catch (err) {
      if (!(err instanceof ActivityFailure) || isCancellation(err)) throw err;
      const cause = err.cause;
      const message = cause?.message ?? err.message;
      if (cause instanceof ApplicationFailure && cause.type && REGISTRY_OUTCOMES.includes(cause.type)) {
        return giveUp(`${cause.type}: ${message}`, false);
      }
      if (nowMs() >= giveUpAt) return giveUp(`unavailable for ${fallbackHours} h: ${message}`, true);
      if (trackRegistry(run, entry, 'unavailable', message)) await run.publishView();
      const minutes = SERVICE_LEVELS.registryRetryMinutes;
      const wait = (minutes[Math.min(round, minutes.length - 1)] ?? 60) * 60_000;
      await pause(Math.min(wait, giveUpAt - nowMs()));
      continue;
    }
    if (answer.status === 'pending') {
      if (nowMs() + answer.retryAfterSeconds * 1000 > giveUpAt) {
        return giveUp(`no answer within ${fallbackHours} h`, true);
      }
      const detail = `answer expected in ${answer.retryAfterSeconds} s`;
      if (trackRegistry(run, entry, 'awaiting_answer', detail)) await run.publishView();
      await pause(answer.retryAfterSeconds * 1000);
      continue;
    }
    const state = answer.proves ? 'obtained' : 'not_obtained';
    if (trackRegistry(run, entry, state, answer.reused ? 'already obtained' : undefined))
      await run.publishView();
    return { service, documents, obtained: answer.proves, facts: answer.facts };
  }
}

/** A request to remedy (art. 68): 10 business days, the time to resolve paused meanwhile (art. 22.1.a). */
async function requestDocuments(run: ApplicationRun, missing: ChecklistItem[]): Promise<boolean> {
  const { input, status, calendar } = run;
  const requestedOn = today();
  status.documentRequest = {
    requestedOn,
    documents: missing.map((m) => ({ code: m.code, name: m.name, delivered: false })),
  };
  run.documentDeadline = computeDeadline(calendar, {
    from: requestedOn,
    amount: LEGAL_PERIODS.remedyBusinessDays,
    unit: 'business_days',
  });
  run.setDeadline('document_request', run.documentDeadline);
  if (run.maxTime && !run.maxTimePaused) {
    run.maxTimePaused = pauseDeadline(run.maxTime, requestedOn);
    run.setDeadline('max_time_to_resolve', run.maxTime, requestedOn);
  }
  await notices.depositNotification({
    applicationId: input.applicationId,
    kind: 'document_request',
    key: run.nextKey('document_request_notice'),
    language: input.applicant.language,
    dueDate: run.documentDeadline.deadline,
  });
  await run.transition(
    'awaiting_documents',
    'document_request',
    undefined,
    missing.map((m) => m.code).join(', '),
  );
  const allDelivered = (): boolean => status.documentRequest?.documents.every((d) => d.delivered) ?? false;
  const complete = await run.waitFor(allDelivered, () =>
    run.documentDeadline ? expiryOf(run.documentDeadline.deadline) : undefined,
  );
  run.clearDeadline('document_request');
  if (run.maxTimePaused) {
    run.maxTime = resumeDeadline(calendar, run.maxTimePaused, today());
    run.maxTimePaused = undefined;
    run.setDeadline('max_time_to_resolve', run.maxTime);
  }
  return complete;
}

// ---- updates -------------------------------------------------------------------------------------------

export const submitDocuments: RunUpdate<[SubmitDocumentsRequest]> = {
  async handler(run, { actor, documents }): Promise<ApplicationStatus> {
    const { status } = run;
    const request = status.documentRequest;
    if (!request) return status;
    for (const d of request.documents) if (documents.includes(d.code)) d.delivered = true;
    // Complete, the request ends: the main flow's next write is a change of state (to assessment; in a
    // renewal, its outcome; a late delivery reopens the assessment just below), which writes this event too.
    const complete = request.documents.every((d) => d.delivered);
    if (complete && run.eventsWithStepOn())
      run.deferEvent('documents_delivered', actor, documents.join(', '));
    else await run.recordEvent('documents_delivered', actor, documents.join(', '));
    if (status.state === 'proposed' && complete) {
      // Art. 73.3: a step taken late still counts while the closing resolution is not notified.
      status.proposal = undefined;
      await run.transition('assessment', 'late_documents_accepted', actor);
    }
    return status;
  },
  validator(run, { actor, documents }): void {
    const { status } = run;
    run.requireActor(actor);
    const late = status.state === 'proposed' && status.proposal?.outcome === 'withdrawal';
    if (!late) run.requireState('deliver documents', 'awaiting_documents');
    const requested: DocumentRequestStatus['documents'] = status.documentRequest?.documents ?? [];
    const pending = requested.filter((d) => !d.delivered).map((d) => d.code);
    const unknown = documents.filter((d: string) => !pending.includes(d));
    if (documents.length === 0 || unknown.length > 0) {
      reject(
        RejectionType.InvalidInput,
        `Documents not pending in this request: ${unknown.join(', ') || '(none given)'}; pending: ${pending.join(', ')}`,
      );
    }
  },
};

export const extendDocumentDeadline: RunUpdate<[ExtendDocumentDeadlineRequest]> = {
  async handler(run, { actor, days }): Promise<ApplicationStatus> {
    const { status } = run;
    if (!run.documentDeadline || !status.documentRequest) return status;
    run.documentDeadline = extendDeadline(run.calendar, run.documentDeadline, days, today());
    status.documentRequest.extendedBy = days;
    run.setDeadline('document_request', run.documentDeadline);
    await run.recordEvent(
      'document_deadline_extended',
      actor,
      `${days} business days, to ${run.documentDeadline.deadline}`,
    );
    await run.publishView();
    return status;
  },
  validator(run, { actor, days }): void {
    run.requireActor(actor);
    run.requireState('extend the document deadline', 'awaiting_documents');
    if (run.status.documentRequest?.extendedBy)
      reject(RejectionType.InvalidTransition, 'The period was already extended once');
    if (!Number.isInteger(days) || days < 1 || days > LEGAL_PERIODS.remedyExtensionMaxDays) {
      reject(
        RejectionType.InvalidInput,
        `An extension is 1 to ${LEGAL_PERIODS.remedyExtensionMaxDays} business days (art. 68.2)`,
      );
    }
    if (run.documentDeadline) {
      try {
        extendDeadline(run.calendar, run.documentDeadline, days, today());
      } catch (err) {
        if (!(err instanceof DeadlineRuleError)) throw err;
        reject(
          err.code === 'EXTENSION_AFTER_EXPIRY' ? RejectionType.DeadlinePassed : RejectionType.InvalidInput,
          err.message,
        );
      }
    }
  },
};
