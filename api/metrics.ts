/**
 * Prometheus metrics (prom-client), computed from the projection when scraped, so that every API instance
 * reports the same office-wide figures and nothing is lost across restarts. No personal data: counts only.
 */
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { PrismaClient } from '../generated/prisma/client';
import { MUNICIPALITY_CODES } from '../domain/municipalities';
import type { Coordination } from '../infra/coordination';

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
  new Gauge({
    name: 'ogps_stuck_cases',
    help: 'Open applications stuck, per reason (domain/stuck.ts)',
    labelNames: ['reason'],
    registers: [registry],
    async collect() {
      this.reset();
      const stuck = await coordination.stuck(MUNICIPALITY_CODES);
      const counts = new Map<string, number>();
      for (const c of stuck)
        for (const f of c.findings) counts.set(f.reason, (counts.get(f.reason) ?? 0) + 1);
      for (const [reason, n] of counts) this.set({ reason }, n);
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
