/**
 * The Temporal SDK's runtime logs through the process's pino logger (worker, and the API's replay worker for
 * repairs): each SDK level lands on pino's, with its metadata, and personal data is redacted there too.
 */
import { Writable } from 'node:stream';
import { createLogger, temporalLogger } from '../../adapters/logger';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger('trace', 'test', 'json', destination) };
}

describe('temporalLogger', () => {
  it.each([
    ['TRACE', 10],
    ['DEBUG', 20],
    ['INFO', 30],
    ['WARN', 40],
    ['ERROR', 50],
  ] as const)(
    'logs the SDK level %s at pino level %d, through log() and its own method',
    (level, pinoLevel) => {
      const { lines, logger } = capture();
      const sdk = temporalLogger(logger);
      sdk.log(level, 'through log', { runId: 'r1' });
      sdk[level.toLowerCase() as 'info']('through the method', { runId: 'r2' });
      expect(lines).toEqual([
        expect.objectContaining({ level: pinoLevel, msg: 'through log', runId: 'r1', name: 'test' }),
        expect.objectContaining({ level: pinoLevel, msg: 'through the method', runId: 'r2' }),
      ]);
    },
  );

  it('redacts personal data in the SDK’s metadata as in any other log line', () => {
    const { lines, logger } = capture();
    temporalLogger(logger).warn('activity failed', { input: { documentNumber: '12345678Z' } });
    expect(JSON.stringify(lines)).not.toContain('12345678Z');
    expect(lines[0]).toMatchObject({ input: { documentNumber: '[redacted]' } });
  });
});
