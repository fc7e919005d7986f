-- CreateTable
CREATE TABLE "application_intake" (
    "application_id" TEXT NOT NULL,
    "household" JSONB NOT NULL DEFAULT '[]',
    "incomes" JSONB NOT NULL DEFAULT '[]',
    "bank_iban" TEXT,
    "bank_holder" TEXT,

    CONSTRAINT "application_intake_pkey" PRIMARY KEY ("application_id")
);

-- AddForeignKey
ALTER TABLE "application_intake" ADD CONSTRAINT "application_intake_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "application"("id") ON DELETE CASCADE ON UPDATE CASCADE;
