import { Router } from 'express';
import type { Response } from 'express';
import { stringify } from 'csv-stringify/sync';
import { worksFor } from '../../../domain/access';
import type { StaffMember } from '../../../domain/access';
import { officeDateOf, plusDays } from '../../../domain/dates';
import type { IsoDate } from '../../../domain/dates';
import { INDICATORS, INDICATOR_IDS } from '../../../domain/indicators';
import type { IndicatorRow } from '../../../domain/indicators';
import { isMunicipalityCode, MUNICIPALITIES } from '../../../domain/municipalities';
import type { Indicators } from '../../../services/indicators';
import { noteAudit } from '../../audit';
import { authorize } from '../../auth';
import { AppError } from '../../../domain/errors';
import { aggregatedIndicatorsRequest, indicatorsRequest } from './schemas';
import { parseRequest } from '../../validate';

export interface IndicatorsRouterDeps {
  indicators: Indicators;
  /** Counts below this are withheld in the aggregated export (INDICATOR_MIN_COUNT). */
  indicatorMinCount?: number | undefined;
  /** The office's today, for the default period (tests pin it). */
  now?: (() => Date) | undefined;
}

const MAX_DAYS = 731;

/** The period asked for, or from the 1st of January to today; checked again once the defaults are in. */
function periodOf(q: { from?: IsoDate | undefined; to?: IsoDate | undefined }, today: IsoDate) {
  const to =
    q.to ?? (q.from && plusDays(q.from, MAX_DAYS - 1) < today ? plusDays(q.from, MAX_DAYS - 1) : today);
  const from = q.from ?? `${to.slice(0, 4)}-01-01`;
  if (from > to)
    throw AppError.badRequest([{ field: 'query.from', message: '`from` must not be after `to`' }]);
  return { from, to };
}

const nameOf = (code: string | null): string | null =>
  code && isMunicipalityCode(code) ? MUNICIPALITIES[code].name : null;

function sendCsv(
  res: Response,
  filename: string,
  rows: (IndicatorRow & { suppressed?: string[] })[],
  withheld?: string,
): void {
  const header = ['municipality', 'municipality_name', 'benefit', ...INDICATOR_IDS];
  const body = rows.map((r) => [
    r.municipality ?? 'all',
    nameOf(r.municipality) ?? 'Totes / Todos',
    r.benefit ?? 'all',
    ...INDICATOR_IDS.map((id) => (r.suppressed?.includes(id) ? withheld : (r.values[id] ?? ''))),
  ]);
  res
    .type('text/csv; charset=utf-8')
    .attachment(filename)
    .send(stringify([header, ...body]));
}

/** The office's indicators for coordinators and auditors, and the Diputació's aggregated export. */
export function createIndicatorsRouter({ indicators, indicatorMinCount, now }: IndicatorsRouterDeps): Router {
  const router = Router();
  const today = () => officeDateOf(now?.() ?? new Date());
  const threshold = indicatorMinCount ?? 5;

  const scope = (staff: StaffMember, municipality?: string): string[] => {
    if (municipality && !worksFor(staff, municipality))
      throw AppError.forbidden(`You do not work for municipality ${municipality}`);
    return municipality ? [municipality] : [...staff.municipalities];
  };

  router.get('/', async (req, res) => {
    const { query } = parseRequest(indicatorsRequest, req);
    noteAudit(res, 'oversee_indicators');
    const staff = authorize(req, 'oversee');
    const municipalities = scope(staff, query.municipality);
    const period = periodOf(query, today());
    const report = await indicators.report({ ...period, municipalities, benefit: query.benefit });
    if (query.format === 'csv') {
      sendCsv(res, `indicadors-${period.from}-${period.to}.csv`, report.rows);
      return;
    }
    res.json({
      period,
      municipalities,
      definitions: INDICATORS,
      rows: report.rows.map((r) => ({ ...r, municipalityName: nameOf(r.municipality) })),
      registryAvailability: report.registryAvailability,
      workload: report.workload,
    });
  });

  /**
   * For the Diputació's evaluation: the municipalities of the person (an evaluator is an auditor with every
   * municipality of the programme), no personal data, small counts withheld.
   */
  router.get('/aggregated', async (req, res) => {
    const { query } = parseRequest(aggregatedIndicatorsRequest, req);
    noteAudit(res, 'export_indicators');
    const staff = authorize(req, 'oversee');
    const period = periodOf(query, today());
    const out = await indicators.aggregated({
      ...period,
      municipalities: [...staff.municipalities].filter(isMunicipalityCode),
      benefit: query.benefit,
      threshold,
    });
    if (query.format === 'csv') {
      sendCsv(res, `indicadors-agregats-${period.from}-${period.to}.csv`, out.rows, `<${threshold}`);
      return;
    }
    res.json({
      period,
      threshold,
      definitions: INDICATORS,
      rows: out.rows.map((r) => ({ ...r, municipalityName: nameOf(r.municipality) })),
    });
  });

  return router;
}
