/**
 * Property: any environment (every known variable with a good, odd or out-of-range value, empty ones,
 * unknown variables) either loads into a whole configuration or is refused with a ConfigError naming
 * exactly the variables that are wrong (fix those and it loads), without echoing a secret; nothing else is
 * thrown and nothing of the environment is changed. loadConfigOrExit exits with 78 and the same message.
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { ConfigError, configSchema, loadConfig, loadConfigOrExit } from '../../adapters/config';
import { fuzzCounts } from '../helpers/fuzz-counts';

const counts = fuzzCounts(__filename);
afterAll(() => counts.write());

const KEYS = Object.keys(configSchema.shape) as (keyof typeof configSchema.shape)[];
const GOOD_DATABASE_URL = 'postgresql://ogps:secret@127.0.0.1:5432/ogps';
const SECRETS = ['PAYLOAD_ENCRYPTION_KEYS', 'SMS_API_KEY', 'SMS_WEBHOOK_SECRET', 'METRICS_TOKEN'];

const key32 = () => randomBytes(32).toString('base64');
/** Values of every kind the variables take, good and bad: each key draws the ones its schema accepts more often. */
const CANDIDATES: string[] = [
  // numbers, in and out of every range
  ...[
    '0',
    '1',
    '2',
    '3',
    '5',
    '10',
    '24',
    '30',
    '100',
    '300',
    '600',
    '1000',
    '3600',
    '65535',
    '65536',
    '100000',
  ],
  ...['-1', '1.5', '1e3', '0x10', '99999999999999999999', 'NaN', 'Infinity', '-0', ' 7 ', '7 days'],
  // booleans and enums
  ...['true', 'false', 'yes', 'no', 'TRUE', 'maybe', 'development', 'test', 'production', 'prod'],
  ...['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent', 'INFO', 'json', 'pretty', 'text'],
  // addresses and URLs
  ...['localhost:7233', '127.0.0.1:9464', 'temporal.internal:7233', 'host', ':7233', 'host:', 'h:123456'],
  ...[GOOD_DATABASE_URL, 'postgres://x@h/db', 'mysql://x@h/db', 'postgresql://', 'not a url', 'http://'],
  ...['https://registres.aoc.cat', 'http://127.0.0.1:4010', 'smtp://u:p@127.0.0.1:2525', 'smtps://mail.cat'],
  ...['ftp://x', 'http://a.cat,https://b.cat', 'http://a.cat/', ',,', 'http://a.cat, ,https://b.cat'],
  // sizes, secrets, names
  ...['100kb', '1mb', '512b', '10 mb', '1gb', 'ogps-applications', 'default', 'OGPS <no-reply@ogps.cat>'],
  ...['0123456789abcdef', 'short', 'x'.repeat(10_000)],
  // payload keys: good ones, rotation, wrong length, no id, repeated id, bad id
  `k1:${key32()}`,
  `k2:${key32()},k1:${key32()}`,
  `k1:${randomBytes(16).toString('base64')}`,
  key32(),
  `k1:${key32()},k1:${key32()}`,
  `bad id:${key32()}`,
  `:${key32()}`,
  'k1:',
  ',',
];
const accepts = (key: (typeof KEYS)[number], value: string) =>
  configSchema.shape[key].safeParse(value).success;

const valueFor = (key: (typeof KEYS)[number], goodWeight: number) => {
  const good = CANDIDATES.filter((v) => accepts(key, v));
  const anyValue = fc.oneof(
    fc.constantFrom(...CANDIDATES),
    fc.string({ maxLength: 30 }),
    fc.string({ unit: 'binary', maxLength: 30 }),
    fc.integer().map(String),
    fc.double().map(String),
    fc.constant(''),
  );
  return good.length > 0
    ? fc.oneof(
        { weight: goodWeight, arbitrary: fc.constantFrom(...good) },
        { weight: 1, arbitrary: anyValue },
      )
    : anyValue;
};

/** The known variables, each set or not, to a good value `goodWeight` times as often as to any other. */
const knownVariables = (goodWeight: number) =>
  fc.record(
    Object.fromEntries(
      KEYS.map((k) => [
        k,
        k === 'DATABASE_URL'
          ? fc.oneof({ weight: 4, arbitrary: fc.constant(GOOD_DATABASE_URL) }, valueFor(k, goodWeight))
          : valueFor(k, goodWeight),
      ]),
    ),
    { requiredKeys: [] },
  );

/**
 * Each known variable set or not, mostly to good values in some environments and mostly to bad ones in
 * others (so that both outcomes are common); DATABASE_URL (required) usually good; a few unknown ones.
 */
const environment = fc
  .tuple(
    fc.oneof(...[1, 4, 40].map(knownVariables)),
    fc.dictionary(
      fc.oneof(
        fc.string({ minLength: 1, maxLength: 20 }),
        fc.constantFrom(
          '__proto__',
          'constructor',
          'toString',
          'port',
          'PORT ',
          'DATABASE_URL\u0000',
          'PATH',
        ),
      ),
      fc.string({ maxLength: 20 }),
      { maxKeys: 4 },
    ),
  )
  .map(([known, unknown]) => {
    const env: Record<string, string> = {};
    // defineProperty: an unknown variable named __proto__ is a variable, as in a real environment.
    for (const [k, v] of [...Object.entries(unknown), ...Object.entries(known)]) {
      Object.defineProperty(env, k, { value: v, enumerable: true, writable: true, configurable: true });
    }
    return env;
  });

describe('configuration fuzzing', () => {
  it('any environment loads whole or is refused naming exactly the wrong variables', () => {
    let loaded = 0;
    let refused = 0;
    const processEnv = JSON.stringify(process.env);
    fc.assert(
      fc.property(environment, (env) => {
        counts.hit('configuration (environment)');
        const snapshot = JSON.stringify(env);
        let config: ReturnType<typeof loadConfig> | undefined;
        let error: unknown;
        try {
          config = loadConfig(env);
        } catch (err) {
          error = err;
        }
        expect(JSON.stringify(env)).toBe(snapshot); // the environment is read, never changed

        if (config) {
          loaded++;
          // Whole: every variable with a default has its value, nothing but the known variables.
          for (const key of KEYS) {
            if (configSchema.shape[key].safeParse(undefined).data !== undefined)
              expect(config).toHaveProperty(key);
          }
          for (const key of Object.keys(config)) expect(KEYS).toContain(key);
          return;
        }

        refused++;
        if (!(error instanceof ConfigError)) throw error; // nothing but a ConfigError
        expect(error.problems.length).toBeGreaterThan(0);
        const named = [...new Set(error.problems.map((p) => p.variable))];
        for (const p of error.problems) {
          expect(KEYS).toContain(p.variable);
          expect(p.message.length).toBeGreaterThan(3);
          expect(error.message).toContain(`${p.variable}: ${p.message}`);
        }
        // Each named variable is set and wrong (or DATABASE_URL, the required one, is missing) ...
        for (const variable of named) {
          const value = env[variable];
          if (value === undefined || value === '') expect(variable).toBe('DATABASE_URL');
          else expect(accepts(variable as (typeof KEYS)[number], value)).toBe(false);
        }
        // ... and they are all that is wrong: without them (DATABASE_URL put right) it loads.
        const fixed = Object.fromEntries(Object.entries(env).filter(([k]) => !named.includes(k)));
        if (named.includes('DATABASE_URL')) fixed.DATABASE_URL = GOOD_DATABASE_URL;
        expect(() => loadConfig(fixed)).not.toThrow();
        // A secret is named, never shown.
        for (const p of error.problems.filter((problem) => SECRETS.includes(problem.variable))) {
          const value = env[p.variable]!;
          if (value.trim().length >= 8) expect(p.message).not.toContain(value);
        }
      }),
      { numRuns: 400 },
    );
    expect(JSON.stringify(process.env)).toBe(processEnv);
    // The generator reaches both outcomes often enough for the property to mean something.
    expect(loaded).toBeGreaterThan(20);
    expect(refused).toBeGreaterThan(20);
  });

  it('loadConfigOrExit answers what loadConfig does, or exits with 78 and the message', () => {
    const exit = jest.spyOn(process, 'exit').mockImplementation((code) => {
      throw new Error(`exit ${String(code)}`);
    });
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      fc.assert(
        fc.property(environment, (env) => {
          counts.hit('configuration (loadConfigOrExit)');
          exit.mockClear();
          stderr.mockClear();
          let expected: string;
          try {
            expected = JSON.stringify(loadConfig(env));
          } catch (err) {
            expect(() => loadConfigOrExit(env)).toThrow('exit 78');
            expect(stderr).toHaveBeenCalledWith(`${(err as Error).message}\n`);
            return;
          }
          expect(JSON.stringify(loadConfigOrExit(env))).toBe(expected);
          expect(exit).not.toHaveBeenCalled();
        }),
        { numRuns: 100 },
      );
    } finally {
      exit.mockRestore();
      stderr.mockRestore();
    }
  });
});
