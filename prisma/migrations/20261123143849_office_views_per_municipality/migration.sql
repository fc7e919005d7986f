-- DropIndex
DROP INDEX "application_benefit_code_idx";

-- DropIndex
DROP INDEX "application_municipality_code_state_idx";

-- AlterTable: the deadlines already projected take their case's municipality, then the column is required.
ALTER TABLE "application_deadline" ADD COLUMN     "municipality_code" TEXT;
UPDATE "application_deadline" d SET "municipality_code" = a."municipality_code"
  FROM "application" a WHERE a."id" = d."application_id";
ALTER TABLE "application_deadline" ALTER COLUMN "municipality_code" SET NOT NULL;
-- No deadline runs on a closed case (the projection now removes them when a case closes).
DELETE FROM "application_deadline" d USING "application" a WHERE a."id" = d."application_id" AND a."closed_at" IS NOT NULL;

-- CreateIndex
CREATE INDEX "application_municipality_code_id_idx" ON "application"("municipality_code", "id");

-- CreateIndex
CREATE INDEX "application_municipality_code_state_id_idx" ON "application"("municipality_code", "state", "id");

-- CreateIndex
CREATE INDEX "application_municipality_code_benefit_code_id_idx" ON "application"("municipality_code", "benefit_code", "id");

-- CreateIndex
CREATE INDEX "application_municipality_code_assignee_id_idx" ON "application"("municipality_code", "assignee", "id");

-- CreateIndex
CREATE INDEX "application_blocked_idx" ON "application"("municipality_code", "id") WHERE (blocked_on <> '{}'::text[]);

-- CreateIndex
CREATE INDEX "application_deadline_running_idx" ON "application_deadline"("municipality_code", "due_date", "application_id", "kind") WHERE (paused_since IS NULL);
