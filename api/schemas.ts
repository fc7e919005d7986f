/**
 * Request and response schemas of the API, shared by the handlers and the OpenAPI document.
 */
import { z } from 'zod';
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { APPLICATION_NUMBER_PATTERN, APPLICATION_STATES } from '../domain/application';
import { BENEFIT_CODES } from '../domain/benefits';
import { DEADLINE_UNITS } from '../domain/deadlines';
import { intakeSchema } from '../domain/intake';
import { MUNICIPALITY_CODES } from '../domain/municipalities';

extendZodWithOpenApi(z);

export const applicationIdSchema = z
  .string()
  .regex(APPLICATION_NUMBER_PATTERN, 'must be an application number such as 08305-2026-000042')
  .openapi({ example: '08305-2026-000042' });

export const createApplicationRequest = z.object({ body: intakeSchema });

export const applicationParamsRequest = z.object({ params: z.object({ id: applicationIdSchema }) });

export const withdrawRequest = z.object({
  params: z.object({ id: applicationIdSchema }),
  body: z
    .object({
      actor: z.string().trim().min(1).max(100),
      reason: z.string().trim().max(2000).optional(),
    })
    .strict(),
});

const stepSchema = z.object({
  at: z.iso.datetime(),
  type: z.string(),
  from: z.enum(APPLICATION_STATES).optional(),
  to: z.enum(APPLICATION_STATES).optional(),
  actor: z.string().optional(),
  note: z.string().optional(),
});

export const applicationStatusSchema = z
  .object({
    applicationId: applicationIdSchema,
    municipalityCode: z.enum(MUNICIPALITY_CODES),
    benefitCode: z.enum(BENEFIT_CODES),
    state: z.enum(APPLICATION_STATES),
    submittedAt: z.iso.datetime(),
    effectiveFilingDate: z.iso.date(),
    catalogueVersion: z.string(),
    registeredAt: z.iso.datetime().optional(),
    closedAt: z.iso.datetime().optional(),
    history: z.array(stepSchema),
  })
  .openapi('ApplicationStatus');

export const createdApplicationSchema = z
  .object({
    applicationId: applicationIdSchema,
    state: z.enum(APPLICATION_STATES),
    links: z.object({ self: z.string() }),
  })
  .openapi('CreatedApplication');

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
    rejection: z.string().optional(),
  })
  .openapi('Problem');

export const healthSchema = z
  .object({
    status: z.enum(['ok', 'unavailable']),
    checks: z.record(z.string(), z.object({ ok: z.boolean(), detail: z.string().optional() })).optional(),
  })
  .openapi('Health');

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
