/**
 * The office's indicators, per municipality and benefit, and aggregated for the Diputació.
 */
import { z } from 'zod';
import { BENEFIT_CODES } from '../../../domain/benefits';
import { MUNICIPALITY_CODES } from '../../../domain/municipalities';
import '../../schemas';

const isoDay = z.iso.date().openapi({ example: '2026-03-31' });
const MAX_INDICATOR_DAYS = 731;

/** A period of office dates, both included, at most two years (the weekly workload series stays readable). */
const indicatorPeriod = {
  from: isoDay.optional(),
  to: isoDay.optional(),
  benefit: z.enum(BENEFIT_CODES).optional(),
  /** `csv`: the same figures as a spreadsheet (Catalan and Spanish labels in the first rows). */
  format: z.enum(['json', 'csv']).default('json'),
};
const periodIsValid = (q: { from?: string | undefined; to?: string | undefined }) =>
  !q.from || !q.to || q.from <= q.to;
const periodIsShort = (q: { from?: string | undefined; to?: string | undefined }) =>
  !q.from ||
  !q.to ||
  (Date.parse(`${q.to}T00:00:00Z`) - Date.parse(`${q.from}T00:00:00Z`)) / 86_400_000 < MAX_INDICATOR_DAYS;

export const indicatorsRequest = z.object({
  query: z
    .object({ ...indicatorPeriod, municipality: z.enum(MUNICIPALITY_CODES).optional() })
    .strict()
    .refine(periodIsValid, { message: '`from` must not be after `to`', path: ['from'] })
    .refine(periodIsShort, {
      message: `the period may span at most ${MAX_INDICATOR_DAYS} days`,
      path: ['to'],
    }),
});

export const aggregatedIndicatorsRequest = z.object({
  query: z
    .object(indicatorPeriod)
    .strict()
    .refine(periodIsValid, { message: '`from` must not be after `to`', path: ['from'] })
    .refine(periodIsShort, {
      message: `the period may span at most ${MAX_INDICATOR_DAYS} days`,
      path: ['to'],
    }),
});

const indicatorDefinitionSchema = z.object({
  id: z.string(),
  group: z.enum(['volume', 'speed', 'paperwork', 'money', 'workload']),
  unit: z.enum(['count', 'business_days', 'days', 'share', 'euros', 'per_application']),
  label: z.object({ ca: z.string(), es: z.string() }),
  definition: z.string(),
  formula: z.string(),
  source: z.string(),
  base: z.string().optional(),
  additive: z.boolean(),
});
const indicatorValuesSchema = z.record(z.string(), z.number().nullable());
const periodSchema = z.object({ from: isoDay, to: isoDay });

/** One row of indicators: a municipality (or the office), a benefit (or all), and the values. */
const indicatorRowSchema = z.object({
  municipality: z.string().nullable(),
  municipalityName: z.string().nullable(),
  benefit: z.string().nullable(),
  values: indicatorValuesSchema,
});

export const indicatorsSchema = z
  .object({
    period: periodSchema,
    municipalities: z.array(z.string()),
    definitions: z.array(indicatorDefinitionSchema),
    rows: z.array(indicatorRowSchema),
    registryAvailability: z.array(
      z.object({
        service: z.string(),
        consultations: z.number().int(),
        attempts: z.number().int(),
        failures: z.number().int(),
        availability: z.number().nullable(),
      }),
    ),
    workload: z.object({
      perPerson: z.array(
        z.object({
          staffId: z.string(),
          name: z.string().nullable(),
          role: z.string().nullable(),
          openCases: z.number().int(),
          openTasks: z.number().int(),
          tasksPastSla: z.number().int(),
        }),
      ),
      weekly: z.array(
        z.object({
          weekEnding: isoDay,
          openCases: z.number().int(),
          openTasks: z.number().int(),
          openCasesByRole: z.record(z.string(), z.number().int()),
        }),
      ),
    }),
  })
  .openapi('OfficeIndicators');

export const aggregatedIndicatorsSchema = z
  .object({
    period: periodSchema,
    threshold: z.number().int(),
    definitions: z.array(indicatorDefinitionSchema),
    rows: z.array(indicatorRowSchema.extend({ suppressed: z.array(z.string()) })),
  })
  .openapi('AggregatedIndicators');
