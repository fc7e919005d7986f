import type { PrismaClient } from '../../generated/prisma/client';
import { formatApplicationNumber } from '../../domain/application';

/** The calendar year in the office's time zone: a filing at 00:30 on 1 January belongs to the new year. */
export function officeYear(at: Date): number {
  return Number(new Intl.DateTimeFormat('en-GB', { year: 'numeric', timeZone: 'Europe/Madrid' }).format(at));
}

/**
 * Takes the next number of the municipality's registry for the year. One atomic statement, so that
 * concurrent filings never get the same number.
 */
export async function allocateApplicationNumber(
  prisma: PrismaClient,
  municipalityCode: string,
  at: Date,
): Promise<string> {
  const year = officeYear(at);
  const rows = await prisma.$queryRaw<{ last_value: number }[]>`
    INSERT INTO application_number_counter (municipality_code, year, last_value)
    VALUES (${municipalityCode}, ${year}, 1)
    ON CONFLICT (municipality_code, year)
    DO UPDATE SET last_value = application_number_counter.last_value + 1
    RETURNING last_value`;
  const sequence = rows[0]?.last_value;
  if (sequence === undefined) throw new Error('the application number counter returned no row');
  return formatApplicationNumber(municipalityCode, year, sequence);
}
