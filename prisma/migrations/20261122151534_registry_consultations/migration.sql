-- AlterTable
ALTER TABLE "application" ADD COLUMN     "blocked_on" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- CreateTable
CREATE TABLE "registry_consultation" (
    "id" BIGSERIAL NOT NULL,
    "request_id" TEXT NOT NULL,
    "application_id" TEXT NOT NULL,
    "period" INTEGER NOT NULL,
    "service" TEXT NOT NULL,
    "product" TEXT NOT NULL,
    "purpose" TEXT NOT NULL,
    "procedure" TEXT NOT NULL,
    "consent" TEXT NOT NULL,
    "requested_by" TEXT NOT NULL,
    "holder_document" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "outcome" TEXT,
    "result" JSONB,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "requested_at" TIMESTAMPTZ(3) NOT NULL,
    "answered_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "registry_consultation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "registry_consent" (
    "application_id" TEXT NOT NULL,
    "service" TEXT NOT NULL,
    "consent" TEXT NOT NULL,
    "holder_document" TEXT NOT NULL,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "registry_consent_pkey" PRIMARY KEY ("application_id","service")
);

-- CreateIndex
CREATE UNIQUE INDEX "registry_consultation_request_id_key" ON "registry_consultation"("request_id");

-- CreateIndex
CREATE INDEX "registry_consultation_application_id_service_idx" ON "registry_consultation"("application_id", "service");

-- CreateIndex
CREATE INDEX "registry_consultation_service_requested_at_idx" ON "registry_consultation"("service", "requested_at");

-- AddForeignKey
ALTER TABLE "registry_consultation" ADD CONSTRAINT "registry_consultation_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "application"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "registry_consent" ADD CONSTRAINT "registry_consent_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "application"("id") ON DELETE CASCADE ON UPDATE CASCADE;
