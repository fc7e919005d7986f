import { ConfigError, loadConfig } from '../../adapters/config';

const valid = { DATABASE_URL: 'postgresql://ogps@127.0.0.1:5432/ogps' };

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => p.variable).sort();
    throw err;
  }
  throw new Error('expected the configuration to be refused');
}

describe('configuration', () => {
  it('applies defaults to a minimal environment', () => {
    expect(loadConfig(valid)).toMatchObject({
      TEMPORAL_ADDRESS: 'localhost:7233',
      TEMPORAL_NAMESPACE: 'default',
      TASK_QUEUE: 'ogps-applications',
      PORT: 3000,
      DEMO_DATA: false,
    });
  });

  it('names every bad variable', () => {
    expect(
      problemsOf({
        DATABASE_URL: 'mysql://x',
        PORT: '70000',
        TEMPORAL_ADDRESS: 'no port',
        DEMO_DATA: 'maybe',
        WORKER_METRICS_ADDRESS: 'http://0.0.0.0:9464/metrics',
      }),
    ).toEqual(['DATABASE_URL', 'DEMO_DATA', 'PORT', 'TEMPORAL_ADDRESS', 'WORKER_METRICS_ADDRESS']);
  });

  it('reads numbers only as decimal digits: a blank, hexadecimal or exponent value is refused, not guessed', () => {
    for (const value of ['   ', '0x50', '1e3', '7 days', 'Infinity']) {
      expect(problemsOf({ ...valid, PORT: value, STUCK_REGISTRY_HOURS: value })).toEqual([
        'PORT',
        'STUCK_REGISTRY_HOURS',
      ]);
    }
    expect(loadConfig({ ...valid, PORT: ' 8080 ', STUCK_REGISTRY_HOURS: '1.5' })).toMatchObject({
      PORT: 8080,
      STUCK_REGISTRY_HOURS: 1.5,
    });
  });

  it('requires a database', () => {
    expect(problemsOf({})).toEqual(['DATABASE_URL']);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ ...valid, PORT: '' }).PORT).toBe(3000);
  });
});
