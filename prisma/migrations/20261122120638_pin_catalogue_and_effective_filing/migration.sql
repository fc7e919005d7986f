-- Pin the catalogue version and the effective filing date (Llei 39/2015 art. 31.2.b) to each application.
-- Added nullable, backfilled, then made required, so that a database that already holds applications
-- migrates too. Applications filed before pinning existed carry 'unpinned' and their own filing day.
ALTER TABLE "application" ADD COLUMN "catalogue_version" TEXT,
ADD COLUMN "effective_filing_date" DATE;

UPDATE "application"
SET "catalogue_version" = 'unpinned',
    "effective_filing_date" = ("submitted_at" AT TIME ZONE 'Europe/Madrid')::date
WHERE "catalogue_version" IS NULL;

ALTER TABLE "application" ALTER COLUMN "catalogue_version" SET NOT NULL,
ALTER COLUMN "effective_filing_date" SET NOT NULL;
