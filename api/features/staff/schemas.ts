/**
 * Who you are, and the audit trail: its entries and its integrity.
 */
import { z } from 'zod';
import { STAFF_ROLES } from '../../../domain/access';
import { applicationIdSchema } from '../../schemas';
import { text } from '../../../domain/text';

export const auditRequest = z.object({
  query: z
    .object({
      applicationId: applicationIdSchema.optional(),
      staffId: text(100).optional(),
      from: z.iso.datetime().optional(),
      to: z.iso.datetime().optional(),
      limit: z.coerce.number().int().min(1).max(500).default(100),
      cursor: z
        .string()
        .regex(/^\d{1,20}$/, 'must be a cursor returned by a previous page')
        .optional(),
    })
    .strict(),
});

export const auditListSchema = z
  .object({
    items: z.array(
      z.object({
        id: z.string(),
        at: z.iso.datetime(),
        staffId: z.string().nullable(),
        action: z.string(),
        method: z.string(),
        path: z.string(),
        applicationId: z.string().nullable(),
        status: z.number().int(),
        ip: z.string().nullable(),
      }),
    ),
    nextCursor: z.string().nullable(),
  })
  .openapi('AuditLog');

export const auditIntegritySchema = z
  .object({
    intact: z.boolean(),
    entries: z.number().int(),
    head: z.object({
      seq: z.string(),
      hash: z
        .string()
        .openapi({ description: 'SHA-256 of the newest entry (hex): record it to compare later' }),
    }),
    breaks: z.array(
      z.object({
        chainSeq: z.string().nullable(),
        id: z.string().nullable(),
        problem: z.enum(['altered', 'unlinked', 'missing_before', 'outside_chain', 'head_mismatch']),
      }),
    ),
  })
  .openapi('AuditIntegrity');

export const meSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    role: z.enum(STAFF_ROLES),
    municipalities: z.array(z.string()),
    allowedActions: z.array(z.string()),
  })
  .openapi('Me');
