-- CreateTable
CREATE TABLE "application" (
    "id" TEXT NOT NULL,
    "municipality_code" TEXT NOT NULL,
    "benefit_code" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "applicant_name" TEXT NOT NULL,
    "applicant_document" TEXT NOT NULL,
    "language" TEXT NOT NULL DEFAULT 'ca',
    "submitted_at" TIMESTAMPTZ(3) NOT NULL,
    "registered_at" TIMESTAMPTZ(3),
    "closed_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "application_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "application_event" (
    "id" BIGSERIAL NOT NULL,
    "application_id" TEXT NOT NULL,
    "event_key" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "from_state" TEXT,
    "to_state" TEXT,
    "actor" TEXT,
    "detail" JSONB,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "application_event_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "application_number_counter" (
    "municipality_code" TEXT NOT NULL,
    "year" INTEGER NOT NULL,
    "last_value" INTEGER NOT NULL,

    CONSTRAINT "application_number_counter_pkey" PRIMARY KEY ("municipality_code","year")
);

-- CreateIndex
CREATE INDEX "application_municipality_code_state_idx" ON "application"("municipality_code", "state");

-- CreateIndex
CREATE INDEX "application_benefit_code_idx" ON "application"("benefit_code");

-- CreateIndex
CREATE INDEX "application_event_application_id_occurred_at_idx" ON "application_event"("application_id", "occurred_at");

-- CreateIndex
CREATE UNIQUE INDEX "application_event_application_id_event_key_key" ON "application_event"("application_id", "event_key");

-- AddForeignKey
ALTER TABLE "application_event" ADD CONSTRAINT "application_event_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "application"("id") ON DELETE CASCADE ON UPDATE CASCADE;
