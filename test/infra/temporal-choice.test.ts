import { chooseTemporal, describeTemporal } from '../../scripts/dev/temporal-choice';

// Which Temporal server the system (benchmarks, fault tests) runs on: a wrong setting is refused before
// anything starts, instead of a benchmark measuring a server nobody asked for.
describe('chooseTemporal', () => {
  it('starts the dev server unless told otherwise', () => {
    expect(chooseTemporal({})).toEqual({ kind: 'dev', namespace: 'default' });
    expect(chooseTemporal({ OGPS_TEMPORAL: 'dev' })).toEqual({ kind: 'dev', namespace: 'default' });
  });

  it('starts the server on PostgreSQL when asked', () => {
    expect(chooseTemporal({ OGPS_TEMPORAL: 'postgres' })).toEqual({ kind: 'postgres', namespace: 'default' });
  });

  it('runs on a server elsewhere, in its namespace', () => {
    expect(chooseTemporal({ OGPS_TEMPORAL_ADDRESS: 'temporal.example:7233' })).toEqual({
      kind: 'external',
      address: 'temporal.example:7233',
      namespace: 'default',
    });
    expect(
      chooseTemporal({ OGPS_TEMPORAL_ADDRESS: '10.0.0.5:7233', OGPS_TEMPORAL_NAMESPACE: 'ogps-bench' }),
    ).toEqual({ kind: 'external', address: '10.0.0.5:7233', namespace: 'ogps-bench' });
  });

  it('refuses a server both to start and to use, an unknown kind, and an address without a port', () => {
    expect(() => chooseTemporal({ OGPS_TEMPORAL: 'postgres', OGPS_TEMPORAL_ADDRESS: 'h:7233' })).toThrow(
      /choose/,
    );
    expect(() => chooseTemporal({ OGPS_TEMPORAL: 'cassandra' })).toThrow(/expected dev or postgres/);
    expect(() => chooseTemporal({ OGPS_TEMPORAL_ADDRESS: 'temporal.example' })).toThrow(/host:port/);
  });

  it('says in the results which server the figures were measured against', () => {
    expect(describeTemporal({})).toBe('Temporal dev server, on this machine');
    expect(describeTemporal({ OGPS_TEMPORAL_ADDRESS: '10.0.0.5:7233' })).toBe(
      'Temporal (external): 10.0.0.5:7233, namespace default',
    );
  });
});
