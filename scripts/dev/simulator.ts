/**
 * Starts the registry simulator (simulator/main.ts) as a child process and waits until it listens: used by
 * `npm start` and by the tests, which talk to it over HTTP like the connectors talk to the real platforms.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { stopChild } from './processes';

const root = path.resolve(__dirname, '..', '..');

export interface SimulatorOptions {
  /** Which service it simulates; registries by default. */
  kind?: 'registries' | 'smtp' | 'sms';
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** Where its log lines go; discarded when omitted. */
  logFile?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

export interface RunningSimulator {
  url: string;
  /** The HTTP side of a simulator whose service is not HTTP (smtp). */
  adminUrl?: string | undefined;
  /** Its process, for measurements (benchmarks read its CPU time). */
  pid: number | undefined;
  /** Settles when its process ends, with the exit code or signal (for a supervisor). */
  exited: Promise<string>;
  stop: () => Promise<void>;
}

export function startSimulator(opts: SimulatorOptions = {}): Promise<RunningSimulator> {
  const kind = opts.kind ?? 'registries';
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'simulator', 'main.ts'), kind], {
    cwd: root,
    env: {
      ...process.env,
      LOG_LEVEL: opts.logFile ? 'info' : 'warn',
      ...opts.env,
      SIMULATOR_HOST: opts.host ?? '127.0.0.1',
      SIMULATOR_PORT: String(opts.port ?? 0),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out: NodeJS.WritableStream | undefined;
  if (opts.logFile) {
    mkdirSync(path.dirname(opts.logFile), { recursive: true });
    out = createWriteStream(opts.logFile, { flags: 'a' });
  }
  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => resolve(String(code ?? signal))),
  );
  const stderr: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr.push(chunk.toString());
    out?.write(chunk);
  });
  return new Promise<RunningSimulator>((resolve, reject) => {
    const timer = setTimeout(() => {
      void stopChild(child, 1000);
      reject(
        new Error(
          `the ${kind} simulator did not start within ${opts.timeoutMs ?? 30_000} ms: ${stderr.join('')}`,
        ),
      );
    }, opts.timeoutMs ?? 30_000);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the ${kind} simulator exited (${code ?? signal}): ${stderr.join('').slice(-2000)}`));
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      out?.write(`${line}\n`);
      const m = /^(\w+) simulator listening on (\S+)(?: admin (\S+))?/.exec(line);
      if (!m?.[2] || m[1] !== kind) return;
      clearTimeout(timer);
      resolve({
        url: m[2],
        adminUrl: m[3],
        pid: child.pid,
        exited,
        stop: async () => {
          await stopChild(child, 5000);
          out?.end();
        },
      });
    });
  });
}
