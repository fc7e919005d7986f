/**
 * The OpenAPI registrations of the office's indicators.
 */
import { z } from 'zod';
import { rolesFor } from '../../../domain/access';
import { STAFF_ERRORS, problem } from '../../openapi-parts';
import type { RegisterOpenApi } from '../../openapi-parts';
import {
  aggregatedIndicatorsRequest,
  aggregatedIndicatorsSchema,
  indicatorsRequest,
  indicatorsSchema,
} from './schemas';

export const registerIndicatorsOpenApi: RegisterOpenApi = (registry) => {
  const oversee = `Roles: ${rolesFor('oversee').join(', ')}`;
  const csvContent = {
    schema: z
      .string()
      .openapi({ description: 'A header row of indicator ids, then one row per municipality and benefit' }),
  };
  registry.registerPath({
    method: 'get',
    path: '/indicators',
    summary:
      'The office’s indicators per municipality and benefit for a period (volume, speed, paperwork avoided, ' +
      `money, workload), each defined in the answer; format=csv for a spreadsheet. ${oversee}`,
    security: [{ bearer: [] }],
    request: { query: indicatorsRequest.shape.query },
    responses: {
      200: {
        description: 'Indicators (JSON, or CSV with format=csv)',
        content: {
          'application/json': { schema: indicatorsSchema },
          'text/csv': csvContent,
        },
      },
      400: problem('Invalid period or filter'),
      403: problem('Role may not oversee, or not a municipality of yours'),
      503: problem('PostgreSQL unreachable'),
      ...STAFF_ERRORS,
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/indicators/aggregated',
    summary:
      'For the Diputació: the indicators of your municipalities and of all of them together, with no ' +
      `personal data and counts below INDICATOR_MIN_COUNT (and what would reveal them) withheld. ${oversee}`,
    security: [{ bearer: [] }],
    request: { query: aggregatedIndicatorsRequest.shape.query },
    responses: {
      200: {
        description: 'Aggregated indicators (JSON, or CSV with format=csv, withheld cells as <threshold)',
        content: {
          'application/json': { schema: aggregatedIndicatorsSchema },
          'text/csv': csvContent,
        },
      },
      400: problem('Invalid period or filter'),
      403: problem('Role may not oversee'),
      503: problem('PostgreSQL unreachable'),
      ...STAFF_ERRORS,
    },
  });
};
