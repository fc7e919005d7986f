/**
 * Prometheus metrics (prom-client), computed from the projection when scraped, so that every API instance
 * reports the same office-wide figures and nothing is lost across restarts. No personal data: counts only.
 */
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { PrismaClient } from '../generated/prisma/client';
import { MUNICIPALITY_CODES } from '../domain/municipalities';
import type { Coordination } from '../services/coordination';

export function createMetrics({
  prisma,
  coordination,
}: {
  prisma: PrismaClient;
  coordination: Coordination;
}): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'ogps_api_' });

  new Gauge({
    name: 'ogps_cases',
    help: 'Applications per state and municipality',
    labelNames: ['state', 'municipality'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await prisma.application.groupBy({
        by: ['state', 'municipalityCode'],
        _count: { _all: true },
      });
      for (const r of rows) this.set({ state: r.state, municipality: r.municipalityCode }, r._count._all);
    },
  });
  // The stuck cases are counted by a whole scan of the office, whose cost grows with it (a minute or more at
  // 100,000 open cases): a scrape reports the last scan that finished and starts the next one when that is
  // older than STUCK_CACHE_SECONDS, so that it never waits for one (nor times out).
  const stuckScanTime = new Gauge({
    name: 'ogps_stuck_scan_timestamp_seconds',
    help: 'When the scan behind ogps_stuck_cases finished (Unix time; 0 until the first one has)',
    registers: [registry],
  });
  new Gauge({
    name: 'ogps_stuck_cases',
    help: 'Open applications stuck, per reason (domain/stuck.ts), as of the last whole scan',
    labelNames: ['reason'],
    registers: [registry],
    // Both gauges from one reading, so that a scan finishing during the scrape cannot split them.
    collect() {
      this.reset();
      stuckScanTime.reset();
      const last = coordination.stuckCounts(MUNICIPALITY_CODES);
      if (!last) return;
      for (const [reason, n] of Object.entries(last.counts)) this.set({ reason }, n);
      stuckScanTime.set(Math.round(last.at / 1000));
    },
  });
  new Gauge({
    name: 'ogps_deadlines',
    help: 'Deadlines met and missed: tasks done after their service level, remedy periods that ran out, silence applied',
    labelNames: ['outcome', 'kind'],
    registers: [registry],
    async collect() {
      this.reset();
      const types = [
        'task_overdue',
        'withdrawal_proposed',
        'appeal_dismissed_by_silence',
        'silence',
        'documents_delivered',
      ];
      const rows = await prisma.applicationEvent.groupBy({
        by: ['type'],
        where: { type: { in: types } },
        _count: { _all: true },
      });
      const n = (t: string) => rows.find((r) => r.type === t)?._count._all ?? 0;
      this.set({ outcome: 'missed', kind: 'task_sla' }, n('task_overdue'));
      this.set({ outcome: 'missed', kind: 'document_request' }, n('withdrawal_proposed'));
      this.set({ outcome: 'met', kind: 'document_request' }, n('documents_delivered'));
      this.set({ outcome: 'missed', kind: 'appeal_resolution' }, n('appeal_dismissed_by_silence'));
      this.set({ outcome: 'missed', kind: 'max_time_to_resolve' }, n('silence'));
    },
  });
  new Gauge({
    name: 'ogps_reminders_sent',
    help: 'Reminder and alert messages per channel and status (notice_delivery)',
    labelNames: ['channel', 'status'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await prisma.noticeDelivery.groupBy({ by: ['channel', 'status'], _count: { _all: true } });
      for (const r of rows) this.set({ channel: r.channel, status: r.status }, r._count._all);
    },
  });
  new Gauge({
    name: 'ogps_registry_consultations',
    help: 'Registry consultations per service and status; retried ones counted apart',
    labelNames: ['service', 'status', 'retried'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await prisma.registryConsultation.groupBy({
        by: ['service', 'status'],
        _count: { _all: true },
      });
      const retried = await prisma.registryConsultation.groupBy({
        by: ['service', 'status'],
        where: { attempts: { gt: 1 } },
        _count: { _all: true },
      });
      for (const r of rows) this.set({ service: r.service, status: r.status, retried: 'any' }, r._count._all);
      for (const r of retried)
        this.set({ service: r.service, status: r.status, retried: 'yes' }, r._count._all);
    },
  });
  return registry;
}
