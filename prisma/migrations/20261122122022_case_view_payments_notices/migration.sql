-- AlterTable
ALTER TABLE "application" ADD COLUMN     "assignee" TEXT,
ADD COLUMN     "next_deadline" DATE,
ADD COLUMN     "view_version" TEXT;

-- CreateTable
CREATE TABLE "application_deadline" (
    "application_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "due_date" DATE NOT NULL,
    "legal_basis" TEXT[],
    "provisional" BOOLEAN NOT NULL,
    "paused_since" DATE,

    CONSTRAINT "application_deadline_pkey" PRIMARY KEY ("application_id","kind")
);

-- CreateTable
CREATE TABLE "application_task" (
    "application_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "assignee" TEXT,
    "created_on" DATE NOT NULL,
    "sla_date" DATE NOT NULL,
    "overdue" BOOLEAN NOT NULL,

    CONSTRAINT "application_task_pkey" PRIMARY KEY ("application_id")
);

-- CreateTable
CREATE TABLE "payment_order" (
    "key" TEXT NOT NULL,
    "application_id" TEXT NOT NULL,
    "instalment" INTEGER NOT NULL,
    "amount" DECIMAL(12,2) NOT NULL,
    "recipient" TEXT NOT NULL,
    "due_date" DATE NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "payment_order_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "notice" (
    "key" TEXT NOT NULL,
    "application_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "language" TEXT NOT NULL,
    "detail" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "notice_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "application_deadline_due_date_idx" ON "application_deadline"("due_date");

-- CreateIndex
CREATE INDEX "application_task_assignee_idx" ON "application_task"("assignee");

-- CreateIndex
CREATE INDEX "application_task_sla_date_idx" ON "application_task"("sla_date");

-- CreateIndex
CREATE INDEX "payment_order_application_id_idx" ON "payment_order"("application_id");

-- CreateIndex
CREATE INDEX "notice_application_id_idx" ON "notice"("application_id");

-- CreateIndex
CREATE INDEX "application_assignee_idx" ON "application"("assignee");

-- CreateIndex
CREATE INDEX "application_next_deadline_idx" ON "application"("next_deadline");

-- AddForeignKey
ALTER TABLE "application_deadline" ADD CONSTRAINT "application_deadline_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "application"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "application_task" ADD CONSTRAINT "application_task_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "application"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "payment_order" ADD CONSTRAINT "payment_order_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "application"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "notice" ADD CONSTRAINT "notice_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "application"("id") ON DELETE CASCADE ON UPDATE CASCADE;
