/**
 * The office's reference data, loaded and validated once at start-up: holiday calendars and the benefit
 * catalogue. A bad file stops the process with the file and the problem, before it serves anything.
 */
import type { CalendarData } from '../../domain/calendar';
import type { CatalogueVersion } from '../../domain/catalogue';
import { loadCalendarData } from './calendars';
import { loadCatalogue } from './catalogue';

export interface ReferenceData {
  calendar: CalendarData;
  catalogue: CatalogueVersion[];
}

export function loadReferenceData(): ReferenceData {
  return { calendar: loadCalendarData(), catalogue: loadCatalogue() };
}
