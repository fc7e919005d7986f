import { Router } from 'express';
import { z } from 'zod';
import { createBusinessCalendar } from '../../domain/calendar';
import { isIsoDate, officeDateOf, officeStartOfDay } from '../../domain/dates';
import { DEADLINE_UNITS, DeadlineRuleError, computeDeadline, effectiveFiling } from '../../domain/deadlines';
import { cite } from '../../domain/legal-basis';
import type { LegalBasis } from '../../domain/legal-basis';
import { MUNICIPALITY_CODES } from '../../domain/municipalities';
import type { ReferenceData } from '../../infra/reference-data';
import { HttpError } from '../errors';
import { parseRequest } from '../validate';

const dateOrDateTime = z
  .string()
  .refine(
    (v) =>
      isIsoDate(v) ||
      (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(v) &&
        !Number.isNaN(Date.parse(v))),
    'must be a date (YYYY-MM-DD) or a date-time with its offset (2026-04-04T10:00:00+02:00)',
  );

export const deadlineRequest = z.object({
  query: z
    .object({
      municipality: z.enum(MUNICIPALITY_CODES),
      from: dateOrDateTime,
      amount: z.coerce.number().int().min(1),
      unit: z.enum(DEADLINE_UNITS),
      /** `filing`: the event is a filing by the person, moved to the next business day when made on a non-business day (art. 31). */
      event: z.enum(['notification', 'filing']).default('notification'),
    })
    .strict(),
});

export function legalBasisView(b: LegalBasis) {
  return { citation: cite(b), law: b.law, article: b.article, ca: b.ca, es: b.es };
}

export function createCalendarRouter(deps: { reference: ReferenceData }): Router {
  const router = Router();

  router.get('/deadline', (req, res) => {
    const { query } = parseRequest(deadlineRequest, req);
    const calendar = createBusinessCalendar(deps.reference.calendar, [query.municipality]);
    const filing =
      query.event === 'filing'
        ? effectiveFiling(calendar, isIsoDate(query.from) ? officeStartOfDay(query.from) : query.from)
        : undefined;
    const from = filing?.effectiveDate ?? (isIsoDate(query.from) ? query.from : officeDateOf(query.from));
    try {
      const d = computeDeadline(calendar, { from, amount: query.amount, unit: query.unit });
      res.json({
        deadline: d.deadline,
        provisional: d.provisional,
        provisionalReasons: d.provisionalReasons,
        nonBusinessDaysSkipped: d.nonBusinessDaysSkipped,
        legalBasis: [...(filing?.legalBasis ?? []), ...d.legalBasis].map(legalBasisView),
        countedFrom: from,
        amount: d.amount,
        unit: d.unit,
        municipality: query.municipality,
      });
    } catch (err) {
      if (err instanceof DeadlineRuleError) {
        throw HttpError.badRequest([
          { field: err.code === 'INVALID_AMOUNT' ? 'query.amount' : 'query.from', message: err.message },
        ]);
      }
      throw err;
    }
  });

  return router;
}
