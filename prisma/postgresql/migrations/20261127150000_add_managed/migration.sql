-- AlterTable
ALTER TABLE "database_connections" ADD COLUMN "managed" BOOLEAN NOT NULL DEFAULT false;
