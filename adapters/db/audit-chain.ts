/**
 * Checks the audit trail's hash chain (set by the database on insert: migration audit_hash_chain): every
 * entry's hash is recomputed with the same SQL function that wrote it, each must point to the hash of the
 * entry before it, positions must follow one another, and the last must be the chain's head. An entry edited
 * in place, removed, or inserted out of the chain is named; the head's hash, recorded outside the database
 * (by an auditor, in a report), also shows a chain rewritten from the start.
 */
import type { PrismaClient } from '../../generated/prisma/client';

export type ChainProblem = 'altered' | 'unlinked' | 'missing_before' | 'outside_chain' | 'head_mismatch';

export interface ChainBreak {
  chainSeq: string | null;
  id: string | null;
  problem: ChainProblem;
}

export interface ChainReport {
  intact: boolean;
  entries: number;
  head: { seq: string; hash: string };
  /** The first breaks found, in chain order (at most `limit`). */
  breaks: ChainBreak[];
}

export async function verifyAuditChain(prisma: PrismaClient, limit = 20): Promise<ChainReport> {
  const [head] = await prisma.$queryRaw<{ last_seq: bigint; last_hash: Uint8Array }[]>`
    SELECT last_seq, last_hash FROM audit_chain_head WHERE id = 1`;
  if (!head) throw new Error('the audit chain has no head: migration audit_hash_chain not applied');
  const rows = await prisma.$queryRaw<{ chain_seq: bigint | null; id: bigint; problem: ChainProblem }[]>`
    SELECT chain_seq, id, problem FROM (
      SELECT e.chain_seq, e.id,
        CASE
          WHEN e.chain_seq IS NULL OR e.hash IS NULL THEN 'outside_chain'
          WHEN e.hash IS DISTINCT FROM audit_entry_digest(e.prev_hash, e) THEN 'altered'
          WHEN e.chain_seq <> coalesce(lag(e.chain_seq) OVER w, 0) + 1 THEN 'missing_before'
          WHEN e.prev_hash IS DISTINCT FROM coalesce(lag(e.hash) OVER w,
            sha256(convert_to('OGPS audit trail', 'UTF8'))) THEN 'unlinked'
        END AS problem
      FROM audit_entry e
      WINDOW w AS (ORDER BY e.chain_seq NULLS LAST, e.id)
    ) checked
    WHERE problem IS NOT NULL
    ORDER BY chain_seq NULLS LAST, id
    LIMIT ${limit}`;
  const [last] = await prisma.$queryRaw<{ entries: bigint; seq: bigint | null; hash: Uint8Array | null }[]>`
    SELECT (SELECT count(*) FROM audit_entry) AS entries, chain_seq AS seq, hash
    FROM audit_entry WHERE chain_seq IS NOT NULL ORDER BY chain_seq DESC LIMIT 1`;
  const breaks: ChainBreak[] = rows.map((r) => ({
    chainSeq: r.chain_seq?.toString() ?? null,
    id: r.id.toString(),
    problem: r.problem,
  }));
  // The newest entries removed, or the head moved: the chain no longer ends where the head says.
  const endsAtHead =
    (last?.seq ?? 0n) === head.last_seq &&
    (last ? Buffer.compare(last.hash ?? new Uint8Array(), head.last_hash) === 0 : head.last_seq === 0n);
  if (!endsAtHead && breaks.length < limit)
    breaks.push({ chainSeq: null, id: null, problem: 'head_mismatch' });
  return {
    intact: breaks.length === 0,
    entries: Number(last?.entries ?? 0),
    head: { seq: head.last_seq.toString(), hash: Buffer.from(head.last_hash).toString('hex') },
    breaks,
  };
}
