/**
 * A legal deadline computed for a municipality, with its legal basis.
 */
import { z } from 'zod';
import { DEADLINE_UNITS } from '../../../domain/deadlines';
import { MUNICIPALITY_CODES } from '../../../domain/municipalities';
import '../../schemas';
import { isIsoDate } from '../../../domain/dates';

export const deadlineResponseSchema = z
  .object({
    deadline: z.iso.date(),
    provisional: z.boolean(),
    provisionalReasons: z.array(z.string()),
    nonBusinessDaysSkipped: z.number().int(),
    legalBasis: z.array(
      z.object({
        citation: z.string(),
        law: z.string(),
        article: z.string(),
        ca: z.string(),
        es: z.string(),
      }),
    ),
    countedFrom: z.iso.date(),
    amount: z.number().int(),
    unit: z.enum(DEADLINE_UNITS),
    municipality: z.enum(MUNICIPALITY_CODES),
  })
  .openapi('Deadline');

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
