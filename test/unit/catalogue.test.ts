import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pinBenefit, versionInForce } from '../../domain/catalogue';
import { MUNICIPALITY_CODES } from '../../domain/municipalities';
import { BENEFIT_CODES } from '../../domain/benefits';
import {
  CatalogueDataError,
  DEFAULT_CATALOGUE_DIR,
  loadCatalogue,
} from '../../adapters/reference-data/catalogue';
import {
  CalendarDataError,
  DEFAULT_CALENDAR_DIR,
  loadCalendarData,
} from '../../adapters/reference-data/calendars';

const catalogue = loadCatalogue();

describe('benefit catalogue', () => {
  it('has every benefit type for every pilot municipality', () => {
    for (const code of MUNICIPALITY_CODES) {
      const version = versionInForce(catalogue, code, '2026-03-01');
      expect(version?.benefits.map((b) => b.code).sort()).toEqual([...BENEFIT_CODES].sort());
    }
  });

  it('pins the version in force on the filing date', () => {
    expect(pinBenefit(catalogue, '08305', 'URGENCY_FOOD', '2026-06-30')?.version).toBe('2026.1');
    expect(pinBenefit(catalogue, '08305', 'URGENCY_FOOD', '2026-07-01')?.version).toBe('2026.2');
    expect(pinBenefit(catalogue, '08187', 'URGENCY_FOOD', '2026-07-01')?.version).toBe('2026.1');
    expect(pinBenefit(catalogue, '08305', 'URGENCY_FOOD', '2025-12-31')).toBeUndefined();
  });

  it('keeps a pinned definition when a later version changes the benefit', () => {
    const pinned = pinBenefit(catalogue, '08305', 'URGENCY_FOOD', '2026-06-15');
    const snapshot = JSON.stringify(pinned);
    const later = pinBenefit(catalogue, '08305', 'URGENCY_FOOD', '2026-08-01');
    expect(later?.benefit.amount).not.toEqual(pinned?.benefit.amount);
    expect(JSON.stringify(pinned)).toBe(snapshot);
  });

  it('asks tax data only with express consent', () => {
    for (const v of catalogue) {
      for (const b of v.benefits) {
        for (const d of b.requiredDocuments.filter((doc) => doc.registry === 'AEAT_IRPF'))
          expect(d.consent).toBe('Si');
      }
    }
  });
});

describe('data validation on load', () => {
  function copyCatalogue(edit: (json: Record<string, unknown>) => void): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'catalogue-'));
    mkdirSync(path.join(dir, '08187'));
    const json = JSON.parse(
      readFileSync(path.join(DEFAULT_CATALOGUE_DIR, '08187', '2026-01-01.json'), 'utf8'),
    ) as Record<string, unknown>;
    edit(json);
    writeFileSync(path.join(dir, '08187', '2026-01-01.json'), JSON.stringify(json));
    return dir;
  }

  it('names the file and the field of a bad catalogue', () => {
    const dir = copyCatalogue((json) => {
      (json.benefits as { maxTimeToResolve: { amount: number } }[])[0]!.maxTimeToResolve.amount = 9;
    });
    expect(() => loadCatalogue(dir)).toThrow(CatalogueDataError);
    expect(() => loadCatalogue(dir)).toThrow(
      /08187\/2026-01-01\.json: benefits\.0\.maxTimeToResolve\.amount/,
    );
  });

  it('refuses tax data without express consent', () => {
    const dir = copyCatalogue((json) => {
      const docs = (json.benefits as { requiredDocuments: { registry?: string; consent?: string }[] }[])[0]!
        .requiredDocuments;
      docs.find((d) => d.registry === 'AEAT_IRPF')!.consent = 'NoOpo';
    });
    expect(() => loadCatalogue(dir)).toThrow(/express consent/);
  });

  it('refuses a file whose date is not its effective-from date', () => {
    const dir = copyCatalogue((json) => {
      json.effectiveFrom = '2026-02-01';
    });
    expect(() => loadCatalogue(dir)).toThrow(/effectiveFrom 2026-02-01 is not its file name's 2026-01-01/);
  });

  it('names the file of a bad calendar', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'calendar-'));
    mkdirSync(path.join(dir, 'catalonia'));
    const good = readFileSync(path.join(DEFAULT_CALENDAR_DIR, 'catalonia', '2026.json'), 'utf8');
    writeFileSync(path.join(dir, 'catalonia', '2026.json'), good.replace('2026-04-03', '2026-04-31'));
    expect(() => loadCalendarData(dir)).toThrow(CalendarDataError);
    expect(() => loadCalendarData(dir)).toThrow(
      /catalonia\/2026\.json: holidays\.2\.date must be a calendar date/,
    );
    writeFileSync(path.join(dir, 'catalonia', '2026.json'), good.replace('2026-04-03', '2027-04-03'));
    expect(() => loadCalendarData(dir)).toThrow(/holiday 2027-04-03 is not in 2026/);
  });

  it('loads the shipped calendars: Catalonia 2025 and 2026 final, 2027 partial, the seven towns present', () => {
    const data = loadCalendarData();
    expect(data.regional[2025]?.complete).toBe(true);
    expect(data.regional[2026]?.holidays).toHaveLength(12);
    expect(data.regional[2027]?.complete).toBe(false);
    expect(Object.keys(data.local).sort()).toEqual([...MUNICIPALITY_CODES].sort());
  });
});
