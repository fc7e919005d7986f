-- AlterTable
ALTER TABLE "application" ADD COLUMN     "anonymised_at" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "application_closed_at_idx" ON "application"("closed_at");
