/**
 * Which Temporal server the system (scripts/dev/system.ts) runs on, from the environment; the benchmarks also
 * write it beside their figures.
 */
export type TemporalChoice =
  | { kind: 'dev' | 'postgres'; namespace: 'default' }
  | { kind: 'external'; address: string; namespace: string };

export const TEMPORAL_LABEL = {
  dev: 'Temporal dev server',
  postgres: 'Temporal server (PostgreSQL)',
  external: 'Temporal (external)',
} as const;

/**
 * Which Temporal the system runs on (benchmarks):
 * - by default, the CLI's dev server on a SQLite file;
 * - OGPS_TEMPORAL=postgres: the Temporal server on the system's PostgreSQL, as production runs it;
 * - OGPS_TEMPORAL_ADDRESS=host:port (OGPS_TEMPORAL_NAMESPACE, `default` by default): a server already running
 *   elsewhere, on hardware of its own, whose namespace exists. Never both.
 */
export function chooseTemporal(env: NodeJS.ProcessEnv): TemporalChoice {
  const address = env.OGPS_TEMPORAL_ADDRESS;
  if (address && env.OGPS_TEMPORAL)
    throw new Error('OGPS_TEMPORAL_ADDRESS and OGPS_TEMPORAL: choose the server to run on, or one to start');
  if (address) {
    if (!/^[^\s:]+:\d+$/.test(address))
      throw new Error(`OGPS_TEMPORAL_ADDRESS=${address}: expected host:port`);
    return { kind: 'external', address, namespace: env.OGPS_TEMPORAL_NAMESPACE ?? 'default' };
  }
  if (env.OGPS_TEMPORAL === undefined || env.OGPS_TEMPORAL === 'dev')
    return { kind: 'dev', namespace: 'default' };
  if (env.OGPS_TEMPORAL === 'postgres') return { kind: 'postgres', namespace: 'default' };
  throw new Error(`OGPS_TEMPORAL=${env.OGPS_TEMPORAL}: expected dev or postgres`);
}

/** What a benchmark's figures were measured against, for its results. */
export function describeTemporal(env: NodeJS.ProcessEnv): string {
  const choice = chooseTemporal(env);
  return choice.kind === 'external'
    ? `${TEMPORAL_LABEL.external}: ${choice.address}, namespace ${choice.namespace}`
    : `${TEMPORAL_LABEL[choice.kind]}, on this machine`;
}
