/**
 * No Docker engine runs here, so the compose file is checked as data: its services, ports and environment
 * must agree with the configuration schema the processes validate at start-up.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { configSchema, loadConfig } from '../../adapters/config';
import { DYNAMIC_CONFIG_FILE, dynamicConfigFlags } from '../../scripts/dev/temporal';

const root = path.resolve(__dirname, '..', '..');

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string | number>;
  ports?: string[];
  depends_on?: Record<string, unknown> | string[];
  volumes?: string[];
}

const compose = YAML.parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
const services = compose.services;

/** What an operator must set (compose's `${VAR:?message}`), as they would: a valid value. */
const REQUIRED: Record<string, string> = {
  PAYLOAD_ENCRYPTION_KEYS: `2026-11:${Buffer.alloc(32, 7).toString('base64')}`,
};

/**
 * Compose's `${VAR:-default}` with the default, as `docker compose` would resolve it with VAR unset, and
 * `${VAR:?message}` (required) with the operator's value.
 */
function resolveDefaults(env: Record<string, string | number>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).map(([k, v]) => [
      k,
      String(v)
        .replace(/\$\{\w+:-([^}]*)\}/g, '$1')
        .replace(/\$\{(\w+):\?[^}]*\}/g, (_m, name: string) => REQUIRED[name] ?? ''),
    ]),
  );
}

describe('docker-compose.yml', () => {
  it('has Temporal, its UI, PostgreSQL, the migrations, the worker and the API', () => {
    expect(Object.keys(services).sort()).toEqual(
      ['api', 'migrate', 'postgresql', 'temporal', 'temporal-postgresql', 'temporal-ui', 'worker'].sort(),
    );
    for (const name of ['api', 'worker', 'migrate']) expect(services[name]?.build).toBe('.');
    expect(services['temporal']?.environment?.['DB']).toBe('postgres12');
  });

  it.each(['api', 'worker'])(
    'gives %s a configuration the schema accepts, with no unknown variables',
    (name) => {
      const env = resolveDefaults(services[name]?.environment ?? {});
      const known = Object.keys(configSchema.shape);
      expect(Object.keys(env).filter((k) => !known.includes(k))).toEqual([]);
      const config = loadConfig(env);
      const [temporalHost, temporalPort] = config.TEMPORAL_ADDRESS.split(':');
      expect(services[temporalHost as string]).toBeDefined();
      expect(services[temporalHost as string]?.ports).toContain(`${temporalPort}:${temporalPort}`);
      const db = new URL(config.DATABASE_URL);
      expect(services[db.hostname]?.environment).toMatchObject({ POSTGRES_DB: db.pathname.slice(1) });
    },
  );

  it('refuses to start the API and the worker without the keys that encrypt personal data in Temporal', () => {
    for (const name of ['api', 'worker']) {
      expect(String(services[name]?.environment?.['PAYLOAD_ENCRYPTION_KEYS'])).toMatch(
        /^\$\{PAYLOAD_ENCRYPTION_KEYS:\?/,
      );
    }
  });

  it('publishes the API on its configured port and listens beyond loopback inside the container', () => {
    const config = loadConfig(resolveDefaults(services['api']?.environment ?? {}));
    expect(services['api']?.ports).toContain(`${config.PORT}:${config.PORT}`);
    expect(config.HOST).toBe('0.0.0.0');
    expect(services['api']?.command).toEqual(['node', 'dist/api/server.js']);
    expect(services['worker']?.command).toEqual(['node', 'dist/worker/main.js']);
  });

  it('points the Temporal UI at the Temporal service', () => {
    expect(services['temporal-ui']?.environment?.['TEMPORAL_ADDRESS']).toBe(
      resolveDefaults(services['worker']?.environment ?? {})['TEMPORAL_ADDRESS'],
    );
  });

  it('runs the same migrations script the project runs offline', () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(services['migrate']?.command).toEqual(['npm', 'run', 'db:migrate']);
    expect(pkg.scripts['db:migrate']).toContain('migrate.ts deploy');
  });

  it('gives Temporal the same server settings as the dev server, from one file', () => {
    const temporal = services['temporal'];
    const target = temporal?.environment?.['DYNAMIC_CONFIG_FILE_PATH'];
    const source = `./${path.relative(root, DYNAMIC_CONFIG_FILE)}`;
    expect(temporal?.volumes).toContain(`${source}:${String(target)}:ro`);
    // The dev server of npm start, the tests and the benchmarks runs with eager activity dispatch too.
    expect(dynamicConfigFlags()).toEqual([
      '--dynamic-config-value',
      'system.enableActivityEagerExecution=true',
    ]);
  });
});
