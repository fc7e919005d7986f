/**
 * Whether PostgreSQL, or the way to it, is behind an error: what the pool, the driver adapter and Prisma
 * throw while the server is down, restarting or out of connections. A retry later can succeed.
 */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  // PostgreSQL: shut down by an administrator or a crash, starting up, connection lost or refused.
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  // Prisma: cannot reach the server, timed out, connection closed, no connection free in the pool.
  'P1001',
  'P1002',
  'P1008',
  'P1017',
  'P2024',
]);

/** What Prisma's driver adapter says the database answered (`meta.driverAdapterError.cause`). */
interface AdapterCause {
  kind?: unknown;
  code?: unknown;
  originalCode?: unknown;
}

export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
    // A session PostgreSQL cut while restarting comes wrapped in a Prisma error of its own code (P2039).
    const cause = (e as { meta?: { driverAdapterError?: { cause?: AdapterCause } } }).meta?.driverAdapterError
      ?.cause;
    if (cause?.kind === 'DatabaseNotReachable') return true;
    for (const c of [cause?.code, cause?.originalCode]) {
      if (typeof c === 'string' && UNAVAILABLE_CODES.has(c)) return true;
    }
    if (e.name === 'DriverAdapterError' && /ECONNREFUSED|terminat|connect/i.test(e.message)) return true;
  }
  return false;
}
