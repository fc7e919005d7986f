/**
 * Loads the facts of the cases a period touches from the PostgreSQL projection and computes the office's
 * indicators with domain/indicators.ts: per municipality and benefit, with breakdowns (registry availability,
 * workload per person and over time), and the aggregated export for the Diputació without personal data.
 */
import { BENEFIT_CODES } from '../domain/benefits';
import type { CalendarData } from '../domain/calendar';
import { createBusinessCalendar } from '../domain/calendar';
import { officeStartOfDay, plusDays } from '../domain/dates';
import {
  computeIndicators,
  registryAvailability,
  suppressSmallCounts,
  workloadOverTime,
  workloadPerPerson,
} from '../domain/indicators';
import type { CaseFacts, CaseStep, IndicatorRow, Period } from '../domain/indicators';
import type { PrismaClient } from '../generated/prisma/client';

/** Steps the indicators read besides state changes: the rest (reminders, notes) is not loaded. */
const STEP_TYPES = [
  'resolved',
  'notification_accepted',
  'notification_rejected',
  'notification_deemed_rejected',
  'payment_ordered',
  'payments_scheduled',
  'silence',
  'document_request',
  'withdrawn',
  'cancelled',
  'repayment_opened',
  'repayment_received',
  'repayment_recovered',
  'repayment_lapsed',
  'appeal_filed',
  'appeal_upheld',
  'appeal_dismissed',
  'appeal_dismissed_by_silence',
  'renewed',
  'reassigned',
];

export interface IndicatorQuery extends Period {
  municipalities: readonly string[];
  benefit?: string | undefined;
}

export interface IndicatorsDeps {
  prisma: PrismaClient;
  calendar: CalendarData;
}

export function createIndicators({ prisma, calendar }: IndicatorsDeps) {
  const calendars = new Map<string, ReturnType<typeof createBusinessCalendar>>();
  const calendarFor = (m: string) => {
    let c = calendars.get(m);
    if (!c) calendars.set(m, (c = createBusinessCalendar(calendar, [m])));
    return c;
  };

  /** Every case registered by the period's end and not closed before its start: nothing else can count. */
  async function loadFacts(q: IndicatorQuery): Promise<CaseFacts[]> {
    const start = new Date(officeStartOfDay(q.from));
    const end = new Date(officeStartOfDay(plusDays(q.to, 1)));
    const rows = await prisma.application.findMany({
      where: {
        municipalityCode: { in: [...q.municipalities] },
        ...(q.benefit ? { benefitCode: q.benefit } : {}),
        registeredAt: { lt: end },
        OR: [{ closedAt: null }, { closedAt: { gte: start } }],
      },
      select: {
        id: true,
        municipalityCode: true,
        benefitCode: true,
        registeredAt: true,
        closedAt: true,
        assignee: true,
        events: {
          where: { OR: [{ toState: { not: null } }, { type: { in: STEP_TYPES } }] },
          select: { type: true, toState: true, occurredAt: true, detail: true },
          orderBy: [{ occurredAt: 'asc' }, { id: 'asc' }],
        },
        consultations: {
          select: { service: true, status: true, attempts: true, failures: true, requestedAt: true },
        },
        paymentOrders: { select: { key: true, amount: true, createdAt: true } },
        taskRecords: {
          select: { kind: true, assignee: true, createdOn: true, slaDate: true, closedAt: true },
        },
      },
    });
    return rows.map((r) => {
      const steps: CaseStep[] = r.events.map((e) => {
        const detail = (e.detail ?? null) as Record<string, unknown> | null;
        return {
          type: e.type,
          at: e.occurredAt.toISOString(),
          toState: e.toState,
          note: typeof detail?.note === 'string' ? detail.note : null,
          detail,
        };
      });
      // A payment counts when the workflow recorded it as ordered (workflow time); the row's own time otherwise.
      const orderedAt = new Map(
        steps.filter((s) => s.type === 'payment_ordered').map((s) => [String(s.detail?.key), s.at]),
      );
      return {
        id: r.id,
        municipalityCode: r.municipalityCode,
        benefitCode: r.benefitCode,
        registeredAt: r.registeredAt?.toISOString() ?? null,
        closedAt: r.closedAt?.toISOString() ?? null,
        assignee: r.assignee,
        steps,
        consultations: r.consultations.map((k) => ({ ...k, requestedAt: k.requestedAt.toISOString() })),
        payments: r.paymentOrders.map((p) => ({
          amount: Number(p.amount),
          orderedAt: orderedAt.get(p.key) ?? p.createdAt.toISOString(),
        })),
        tasks: r.taskRecords.map((t) => ({
          kind: t.kind,
          assignee: t.assignee,
          createdOn: t.createdOn.toISOString().slice(0, 10),
          slaDate: t.slaDate.toISOString().slice(0, 10),
          closedAt: t.closedAt?.toISOString() ?? null,
        })),
      };
    });
  }

  /** Rows per municipality (all benefits, then each), plus every municipality together when there are several. */
  function rowsFor(facts: readonly CaseFacts[], q: IndicatorQuery): IndicatorRow[] {
    const ctx = { period: { from: q.from, to: q.to }, calendarFor };
    const benefits = q.benefit ? [q.benefit] : [...BENEFIT_CODES];
    const rows: IndicatorRow[] = [];
    if (q.municipalities.length > 1) {
      rows.push({ municipality: null, benefit: null, values: computeIndicators(facts, ctx) });
      if (!q.benefit) {
        for (const b of benefits) {
          const of = facts.filter((c) => c.benefitCode === b);
          rows.push({ municipality: null, benefit: b, values: computeIndicators(of, ctx) });
        }
      }
    }
    for (const m of [...q.municipalities].sort()) {
      const ofM = facts.filter((c) => c.municipalityCode === m);
      if (!q.benefit) rows.push({ municipality: m, benefit: null, values: computeIndicators(ofM, ctx) });
      for (const b of benefits) {
        const of = ofM.filter((c) => c.benefitCode === b);
        rows.push({ municipality: m, benefit: b, values: computeIndicators(of, ctx) });
      }
    }
    return rows;
  }

  async function roles(): Promise<(id: string) => string | undefined> {
    const staff = await prisma.staffMember.findMany({ select: { id: true, role: true } });
    const byId = new Map(staff.map((s) => [s.id, s.role]));
    return (id) => byId.get(id);
  }

  return {
    /** The office's indicators with their breakdowns, for coordinators and auditors of these municipalities. */
    async report(q: IndicatorQuery) {
      const [facts, roleOf] = await Promise.all([loadFacts(q), roles()]);
      const period = { from: q.from, to: q.to };
      const perPerson = workloadPerPerson(facts, period, roleOf);
      const names = new Map(
        (
          await prisma.staffMember.findMany({
            where: { id: { in: perPerson.map((p) => p.staffId) } },
            select: { id: true, name: true },
          })
        ).map((s) => [s.id, s.name]),
      );
      return {
        period,
        rows: rowsFor(facts, q),
        registryAvailability: registryAvailability(facts, period),
        workload: {
          perPerson: perPerson.map((p) => ({ ...p, name: names.get(p.staffId) ?? null })),
          weekly: workloadOverTime(facts, period, roleOf),
        },
      };
    },

    /**
     * The Diputació's export: counts, times, shares and amounts per municipality and benefit, and for the
     * programme, with no personal data (no cases, people or staff) and small counts withheld.
     */
    async aggregated(q: IndicatorQuery & { threshold: number }) {
      const facts = await loadFacts(q);
      const rows = rowsFor(facts, q);
      return {
        period: { from: q.from, to: q.to },
        threshold: q.threshold,
        rows: suppressSmallCounts(rows, q.threshold),
      };
    },
  };
}

export type Indicators = ReturnType<typeof createIndicators>;
