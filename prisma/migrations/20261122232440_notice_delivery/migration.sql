-- AlterTable
ALTER TABLE "staff_member" ADD COLUMN     "email" TEXT;

-- CreateTable
CREATE TABLE "notice_delivery" (
    "key" TEXT NOT NULL,
    "notice_key" TEXT NOT NULL,
    "application_id" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "recipient" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "provider_id" TEXT,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(3),
    "delivered_at" TIMESTAMPTZ(3),

    CONSTRAINT "notice_delivery_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "notice_delivery_application_id_idx" ON "notice_delivery"("application_id");

-- CreateIndex
CREATE INDEX "notice_delivery_provider_id_idx" ON "notice_delivery"("provider_id");
