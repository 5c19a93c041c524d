-- AlterTable
ALTER TABLE "audit_events" ADD COLUMN "subject" TEXT;
