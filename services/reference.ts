/**
 * The office's reference data as the staff read it: a legal deadline computed for a municipality (Llei
 * 39/2015 arts. 30-31) and the benefit catalogue version in force on a date.
 */
import { createBusinessCalendar } from '../domain/calendar';
import { versionInForce } from '../domain/catalogue';
import { isIsoDate, officeDateOf, officeStartOfDay } from '../domain/dates';
import { DeadlineRuleError, computeDeadline, effectiveFiling } from '../domain/deadlines';
import type { DeadlineUnit } from '../domain/deadlines';
import { AppError } from '../domain/errors';
import { cite } from '../domain/legal-basis';
import type { LegalBasis } from '../domain/legal-basis';
import type { MunicipalityCode } from '../domain/municipalities';
import type { ReferenceData } from '../adapters/reference-data';

export interface DeadlineQuery {
  municipality: MunicipalityCode;
  /** A date, or a date-time with its offset. */
  from: string;
  amount: number;
  unit: DeadlineUnit;
  /** `filing`: a filing by the person, counted from the next business day when made on a non-business day (art. 31). */
  event: 'notification' | 'filing';
}

function legalBasisView(b: LegalBasis) {
  return { citation: cite(b), law: b.law, article: b.article, ca: b.ca, es: b.es };
}

/** The deadline, with what it was counted from and every rule that set it. */
export function deadlineFor(reference: ReferenceData, query: DeadlineQuery) {
  const calendar = createBusinessCalendar(reference.calendar, [query.municipality]);
  const filing =
    query.event === 'filing'
      ? effectiveFiling(calendar, isIsoDate(query.from) ? officeStartOfDay(query.from) : query.from)
      : undefined;
  const from = filing?.effectiveDate ?? (isIsoDate(query.from) ? query.from : officeDateOf(query.from));
  try {
    const d = computeDeadline(calendar, { from, amount: query.amount, unit: query.unit });
    return {
      deadline: d.deadline,
      provisional: d.provisional,
      provisionalReasons: d.provisionalReasons,
      nonBusinessDaysSkipped: d.nonBusinessDaysSkipped,
      legalBasis: [...(filing?.legalBasis ?? []), ...d.legalBasis].map(legalBasisView),
      countedFrom: from,
      amount: d.amount,
      unit: d.unit,
      municipality: query.municipality,
    };
  } catch (err) {
    if (err instanceof DeadlineRuleError) {
      throw AppError.badRequest([
        { field: err.code === 'INVALID_AMOUNT' ? 'query.amount' : 'query.from', message: err.message },
      ]);
    }
    throw err;
  }
}

/** The catalogue version in force in a municipality on `on` (today by default), and its other versions. */
export function catalogueInForce(reference: ReferenceData, municipality: MunicipalityCode, on?: string) {
  const day = on ?? officeDateOf(new Date());
  const version = versionInForce(reference.catalogue, municipality, day);
  if (!version) throw AppError.notFound(`No catalogue version in force in ${municipality} on ${day}`);
  return {
    on: day,
    ...version,
    versions: reference.catalogue
      .filter((v) => v.municipalityCode === municipality)
      .map((v) => ({ version: v.version, effectiveFrom: v.effectiveFrom }))
      .sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? -1 : 1)),
  };
}
