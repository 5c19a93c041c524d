-- AlterTable
ALTER TABLE "database_connections" ADD COLUMN "health_status" TEXT NOT NULL DEFAULT 'unknown';
ALTER TABLE "database_connections" ADD COLUMN "health_checked_at" DATETIME;
ALTER TABLE "database_connections" ADD COLUMN "health_latency_ms" INTEGER;
ALTER TABLE "database_connections" ADD COLUMN "health_error_code" TEXT;
ALTER TABLE "database_connections" ADD COLUMN "health_error_message" TEXT;
ALTER TABLE "database_connections" ADD COLUMN "health_failures" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "database_connections" ADD COLUMN "health_checks" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "database_connections" ADD COLUMN "health_next_at" DATETIME;
ALTER TABLE "database_connections" ADD COLUMN "health_lease_until" DATETIME;

-- CreateIndex
CREATE INDEX "database_connections_health_next_at_idx" ON "database_connections"("health_next_at");

-- CreateIndex
CREATE INDEX "database_connections_health_status_idx" ON "database_connections"("health_status");
