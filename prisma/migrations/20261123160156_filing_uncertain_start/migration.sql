-- AlterTable
ALTER TABLE "intake_request" ADD COLUMN     "uncertain_application_id" TEXT;
