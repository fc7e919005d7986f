/** Reference data a long-lived case needs again later: the catalogue and calendars in force at renewal. */
import { calendarDataFor } from '../domain/calendar';
import type { CalendarData } from '../domain/calendar';
import { pinBenefit } from '../domain/catalogue';
import type { PinnedBenefit } from '../domain/catalogue';
import type { ReferenceData } from '../adapters/reference-data';

export function createReferenceActivities({ reference }: { reference: () => ReferenceData }) {
  return {
    pinCatalogue(input: {
      municipalityCode: string;
      benefitCode: string;
      on: string;
    }): Promise<PinnedBenefit | null> {
      return Promise.resolve(
        pinBenefit(reference().catalogue, input.municipalityCode, input.benefitCode, input.on) ?? null,
      );
    },
    loadCalendar(input: { municipalityCode: string }): Promise<CalendarData> {
      return Promise.resolve(calendarDataFor(reference().calendar, [input.municipalityCode]));
    },
  };
}
