-- AlterTable
ALTER TABLE "registry_consultation" ADD COLUMN     "failures" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "task_record" (
    "id" BIGSERIAL NOT NULL,
    "application_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "assignee" TEXT,
    "created_on" DATE NOT NULL,
    "sla_date" DATE NOT NULL,
    "closed_at" TIMESTAMPTZ(3),

    CONSTRAINT "task_record_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "task_record_created_on_idx" ON "task_record"("created_on");

-- CreateIndex
CREATE INDEX "task_record_assignee_idx" ON "task_record"("assignee");

-- CreateIndex
CREATE UNIQUE INDEX "task_record_application_id_kind_created_on_key" ON "task_record"("application_id", "kind", "created_on");

-- AddForeignKey
ALTER TABLE "task_record" ADD CONSTRAINT "task_record_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "application"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Backfill: the tasks open now start the log (their earlier tasks were not kept).
INSERT INTO "task_record" ("application_id", "kind", "assignee", "created_on", "sla_date")
SELECT "application_id", "kind", "assignee", "created_on", "sla_date" FROM "application_task"
ON CONFLICT DO NOTHING;
