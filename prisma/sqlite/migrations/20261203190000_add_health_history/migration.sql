-- AlterTable
ALTER TABLE "database_connections" ADD COLUMN "health_history" TEXT NOT NULL DEFAULT '[]';
