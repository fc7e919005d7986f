/** The office's workload: open cases and tasks per person and per state, and what the cases wait on. */
import { WAITING_ON } from '../../domain/application';
import { fromUtcDate, officeDateOf } from '../../domain/dates';
import type { PrismaClient } from '../../generated/prisma/client';

/** A DATE column (UTC midnight) as the day it holds. */
const day = fromUtcDate;

/** Open cases and tasks per person and per state, and what the cases are waiting on. */
export async function workload(prisma: PrismaClient, municipalities: readonly string[]) {
  const cases = await prisma.application.findMany({
    where: { municipalityCode: { in: [...municipalities] }, closedAt: null },
    select: {
      state: true,
      assignee: true,
      blockedOn: true,
      task: { select: { assignee: true, slaDate: true } },
    },
  });
  const today = officeDateOf(new Date());
  const perPerson = new Map<
    string,
    { assignee: string | null; openCases: number; tasks: number; overdueTasks: number }
  >();
  const perState = new Map<string, number>();
  const waitingOn = { citizen: 0, staff: 0, administration: 0 };
  for (const c of cases) {
    const key = c.assignee ?? '';
    const person = perPerson.get(key) ?? {
      assignee: c.assignee,
      openCases: 0,
      tasks: 0,
      overdueTasks: 0,
    };
    person.openCases++;
    if (c.task) {
      person.tasks++;
      if (day(c.task.slaDate) < today) person.overdueTasks++;
    }
    perPerson.set(key, person);
    perState.set(c.state, (perState.get(c.state) ?? 0) + 1);
    const on = c.blockedOn.length > 0 ? 'administration' : c.task ? 'staff' : WAITING_ON[c.state];
    if (on) waitingOn[on]++;
  }
  return {
    openCases: cases.length,
    perPerson: [...perPerson.values()].sort((a, b) => b.openCases - a.openCases),
    perState: Object.fromEntries([...perState].sort()),
    waitingOn,
  };
}
