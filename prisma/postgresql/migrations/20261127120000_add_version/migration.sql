-- AlterTable
ALTER TABLE "database_connections" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1;
