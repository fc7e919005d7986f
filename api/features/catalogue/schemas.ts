/**
 * The catalogue version in force in a municipality on a date.
 */
import { z } from 'zod';
import { isIsoDate } from '../../../domain/dates';
import { MUNICIPALITY_CODES } from '../../../domain/municipalities';
import '../../schemas';

export const catalogueRequest = z.object({
  params: z.object({ municipality: z.enum(MUNICIPALITY_CODES) }),
  query: z.object({ on: z.string().refine(isIsoDate, 'must be a date YYYY-MM-DD').optional() }).strict(),
});
