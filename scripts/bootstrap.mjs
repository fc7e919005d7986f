#!/usr/bin/env node
// Installs what the project needs on a fresh clone, before anything else runs. Plain Node with no
// dependencies, because it is what installs them. Each step is skipped when its result is already there.
//
//   node scripts/bootstrap.mjs [--for start|test] [--temporal-server]
//
// Steps: npm dependencies (the locked versions), the Prisma client (prisma generate, offline), the Temporal CLI
// (TEMPORAL_CLI, PATH, or built once with `go install`), and for tests the Java time-skipping test server
// (Maven) and Debian's chromium for the browser tests (apt, as root). Tools go to .tools/ (gitignored).
// --temporal-server also builds the Temporal server and its SQL tool, of the version the CLI embeds, for the
// benchmarks' OGPS_TEMPORAL=postgres (scripts/dev/temporal-sql.ts).
import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import { existsSync, mkdirSync, statSync, writeFileSync, chmodSync, readdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tools = path.join(root, '.tools');
const purpose = process.argv.includes('--for') ? process.argv[process.argv.indexOf('--for') + 1] : 'start';

export const TEMPORAL_CLI_VERSION = 'v1.5.1';
/** The server inside that CLI (`temporal --version`): the same server, on PostgreSQL, for the benchmarks. */
export const TEMPORAL_SERVER_VERSION = 'v1.29.1';

function say(msg) {
  process.stdout.write(`[bootstrap] ${msg}\n`);
}

function run(cmd, args, opts = {}) {
  const started = Date.now();
  const res = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (res.error) throw new Error(`${cmd} could not run: ${res.error.message}`);
  if (res.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${res.status}`);
  return ((Date.now() - started) / 1000).toFixed(0);
}

function mtime(p) {
  try {
    return statSync(p).mtimeMs;
  } catch {
    return 0;
  }
}

function onPath(bin) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, bin);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

function npmDependencies() {
  const marker = path.join(root, 'node_modules', '.package-lock.json');
  if (mtime(marker) >= mtime(path.join(root, 'package-lock.json'))) return;
  say('installing npm dependencies…');
  // Not `npm ci`: the lock cannot list other platforms' optional binaries (@swc/core-darwin-*, …) when the
  // registry a machine reaches serves only its own platform's, and `npm ci` refuses such a lock.
  // `npm install --no-save` installs exactly the locked versions and never rewrites the lock.
  const secs = run('npm', ['install', '--no-save', '--no-audit', '--no-fund']);
  say(`npm dependencies installed in ${secs}s`);
}

function prismaClient() {
  const schema = path.join(root, 'prisma', 'schema.prisma');
  const out = path.join(root, 'generated', 'prisma', 'client.ts');
  if (mtime(out) >= mtime(schema)) return;
  say('generating the Prisma client…');
  // `prisma generate` needs no native engine, but Prisma's CLI tries to download one unless this points at
  // an existing file; any file will do because generate never runs it.
  run(path.join(root, 'node_modules', '.bin', 'prisma'), ['generate'], {
    env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.execPath, PRISMA_HIDE_UPDATE_MESSAGE: '1' },
  });
}

function temporalCli() {
  if (process.env.TEMPORAL_CLI) {
    if (!existsSync(process.env.TEMPORAL_CLI))
      throw new Error(`TEMPORAL_CLI=${process.env.TEMPORAL_CLI} does not exist`);
    return;
  }
  if (onPath('temporal') || existsSync(path.join(tools, 'bin', 'temporal'))) return;
  if (!onPath('go'))
    throw new Error('the Temporal CLI is missing and Go is not installed to build it: set TEMPORAL_CLI');
  say(
    `building the Temporal CLI ${TEMPORAL_CLI_VERSION} with Go (first run only; about 5-10 minutes on 2 cores)…`,
  );
  // Later tags carry a `replace` directive in go.mod that makes `go install pkg@version` refuse them.
  const secs = run('go', ['install', `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`], {
    env: { ...process.env, GOBIN: path.join(tools, 'bin'), GOFLAGS: '-buildvcs=false' },
  });
  say(`Temporal CLI built in ${secs}s`);
}

function temporalServer() {
  const bin = path.join(tools, 'bin');
  const wanted = { 'temporal-server': 'server', 'temporal-sql-tool': 'tools/sql' };
  if (Object.keys(wanted).every((name) => existsSync(path.join(bin, name)))) return;
  if (!onPath('go')) throw new Error('building the Temporal server needs Go');
  say(`building the Temporal server ${TEMPORAL_SERVER_VERSION} and its SQL tool with Go (a few minutes)…`);
  for (const [name, cmd] of Object.entries(wanted)) {
    // `go install` names a binary after its package (server, sql): built apart, then named for what it is.
    const out = path.join(tools, 'go-build', name);
    const secs = run('go', ['install', `go.temporal.io/server/cmd/${cmd}@${TEMPORAL_SERVER_VERSION}`], {
      env: { ...process.env, GOBIN: out, GOFLAGS: '-buildvcs=false' },
    });
    mkdirSync(bin, { recursive: true });
    renameSync(path.join(out, path.basename(cmd)), path.join(bin, name));
    say(`${name} built in ${secs}s`);
  }
}

const listening = (port) =>
  new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

/**
 * The SDK gives the test server a fixed 5 s to accept connections, which a cold JVM on a busy 2-core machine
 * can miss. A class-data-sharing archive of the server's own start-up (written once here) brings its start
 * from about 1.5 s to under 0.5 s.
 */
async function testServerStartupArchive(lib, archive) {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const java = spawn(
    'java',
    [
      `-XX:ArchiveClassesAtExit=${archive}`,
      ...JVM_FLAGS,
      '-cp',
      `${lib}/*`,
      'io.temporal.testserver.TestServer',
      String(port),
    ],
    { stdio: 'ignore' },
  );
  const exited = new Promise((resolve) => java.once('exit', resolve));
  const deadline = Date.now() + 60_000;
  while (!(await listening(port)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  java.kill('SIGTERM'); // the archive is written as the JVM exits
  await exited;
}

const JVM_FLAGS = ['-Xss1m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1'];

async function testServer() {
  const dir = path.join(tools, 'temporal-test-server');
  const wrapper = path.join(tools, 'bin', 'temporal-test-server');
  const pom = path.join(root, 'scripts', 'temporal-test-server', 'pom.xml');
  const lib = path.join(dir, 'lib');
  const archive = path.join(dir, 'startup.jsa');
  const haveJars = existsSync(lib) && readdirSync(lib).some((f) => f.startsWith('temporal-test-server'));
  if (haveJars && existsSync(wrapper) && existsSync(archive) && mtime(wrapper) >= mtime(pom)) return;
  if (!onPath('mvn') || !onPath('java'))
    throw new Error('Maven and Java are needed to fetch the Temporal test server');
  say('fetching the Temporal time-skipping test server from Maven Central (first run only)…');
  mkdirSync(path.join(tools, 'bin'), { recursive: true });
  const started = Date.now();
  run('mvn', [
    '-B',
    '-q',
    '-f',
    pom,
    'dependency:copy-dependencies',
    `-DoutputDirectory=${lib}`,
    '-DincludeScope=runtime',
  ]);
  await testServerStartupArchive(lib, archive);
  // The SDK starts this executable as `<path> <port> [extra args]`, the Java server's own usage, so the
  // wrapper passes its arguments through unchanged. -Xshare:auto: a missing or stale archive (another JDK)
  // only costs start-up time.
  writeFileSync(
    wrapper,
    `#!/bin/sh\nexec java -Xshare:auto -XX:SharedArchiveFile='${archive}' ${JVM_FLAGS.join(' ')} -cp '${lib}/*' io.temporal.testserver.TestServer "$@"\n`,
  );
  chmodSync(wrapper, 0o755);
  say(`Temporal test server fetched in ${((Date.now() - started) / 1000).toFixed(0)}s`);
}

/** Where a Chromium is: CHROMIUM_PATH, or Debian's package. */
export function findChromium() {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  for (const candidate of ['/usr/bin/chromium', '/usr/bin/chromium-browser']) {
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * The browser tests drive Debian's `chromium` with playwright-core (which downloads nothing): installed with
 * apt when missing and this runs as root; otherwise the message says what to install.
 */
function chromium() {
  if (findChromium()) return;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root || !onPath('apt-get')) {
    throw new Error(
      'Chromium is needed for the browser tests: `apt-get install chromium`, or set CHROMIUM_PATH',
    );
  }
  say("installing Debian's chromium for the browser tests (first run only)…");
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () =>
    spawnSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', 'chromium'], {
      stdio: 'inherit',
      env,
    });
  const started = Date.now();
  if (install().status !== 0) {
    // Package lists may be missing on a fresh machine.
    run('apt-get', ['update', '-q'], { env });
    if (install().status !== 0) throw new Error('apt-get install chromium failed');
  }
  say(`chromium installed in ${((Date.now() - started) / 1000).toFixed(0)}s`);
}

try {
  const started = Date.now();
  npmDependencies();
  prismaClient();
  temporalCli();
  if (process.argv.includes('--temporal-server')) temporalServer();
  if (purpose === 'test') {
    await testServer();
    chromium();
  }
  const secs = (Date.now() - started) / 1000;
  if (secs > 2) say(`ready in ${secs.toFixed(0)}s`);
} catch (err) {
  process.stderr.write(`[bootstrap] failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
