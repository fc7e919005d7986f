-- AlterTable
ALTER TABLE "audit_entry" ADD COLUMN     "chain_seq" BIGINT,
ADD COLUMN     "hash" BYTEA,
ADD COLUMN     "prev_hash" BYTEA;

-- CreateTable
CREATE TABLE "audit_chain_head" (
    "id" INTEGER NOT NULL,
    "last_seq" BIGINT NOT NULL,
    "last_hash" BYTEA NOT NULL,

    CONSTRAINT "audit_chain_head_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "audit_entry_chain_seq_key" ON "audit_entry"("chain_seq");

-- The audit trail is append-only and tamper-evident: each entry carries its place in one chain, the hash
-- of the entry before it and its own, sha256(prev_hash || its fields), all set here in the database under
-- the chain head's lock, so that entries written by several API processes at once still form one chain.
-- infra/audit-chain.ts recomputes the chain and names any entry altered, removed or out of place.

-- An entry's fields in one canonical text (jsonb prints deterministically), hashed after the previous hash.
CREATE FUNCTION audit_entry_digest(prev BYTEA, e audit_entry) RETURNS BYTEA
LANGUAGE sql IMMUTABLE AS $$
  SELECT sha256(prev || convert_to(jsonb_build_array(
    e.chain_seq, e.id, (extract(epoch FROM e.at) * 1000)::bigint, e.staff_id, e.action, e.method, e.path,
    e.application_id, e.status, e.ip, e.request_id)::text, 'UTF8'))
$$;

-- The chain starts from a fixed hash.
INSERT INTO "audit_chain_head" ("id", "last_seq", "last_hash")
VALUES (1, 0, sha256(convert_to('OGPS audit trail', 'UTF8')));

-- Entries written before this migration join the chain in the order they were written.
DO $$
DECLARE
  r audit_entry;
  head audit_chain_head;
BEGIN
  FOR r IN SELECT * FROM audit_entry ORDER BY id LOOP
    SELECT * INTO head FROM audit_chain_head WHERE id = 1;
    r.chain_seq := head.last_seq + 1;
    r.prev_hash := head.last_hash;
    r.hash := audit_entry_digest(head.last_hash, r);
    UPDATE audit_entry SET chain_seq = r.chain_seq, prev_hash = r.prev_hash, hash = r.hash WHERE id = r.id;
    UPDATE audit_chain_head SET last_seq = r.chain_seq, last_hash = r.hash WHERE id = 1;
  END LOOP;
END $$;

CREATE FUNCTION audit_entry_chain() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  head audit_chain_head;
BEGIN
  SELECT * INTO head FROM audit_chain_head WHERE id = 1 FOR UPDATE;
  NEW.chain_seq := head.last_seq + 1;
  NEW.prev_hash := head.last_hash;
  NEW.hash := audit_entry_digest(head.last_hash, NEW);
  UPDATE audit_chain_head SET last_seq = NEW.chain_seq, last_hash = NEW.hash WHERE id = 1;
  RETURN NEW;
END $$;

CREATE TRIGGER audit_entry_chain BEFORE INSERT ON audit_entry
FOR EACH ROW EXECUTE FUNCTION audit_entry_chain();

CREATE FUNCTION audit_entry_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit trail is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry
FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();

CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry
FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only();
