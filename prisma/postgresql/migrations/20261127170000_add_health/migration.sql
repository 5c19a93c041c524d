-- AlterTable
ALTER TABLE "database_connections" ADD COLUMN "health_status" TEXT NOT NULL DEFAULT 'unknown',
ADD COLUMN "health_checked_at" TIMESTAMP(3),
ADD COLUMN "health_latency_ms" INTEGER,
ADD COLUMN "health_error_code" TEXT,
ADD COLUMN "health_error_message" TEXT,
ADD COLUMN "health_failures" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN "health_checks" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN "health_next_at" TIMESTAMP(3),
ADD COLUMN "health_lease_until" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "database_connections_health_next_at_idx" ON "database_connections"("health_next_at");

-- CreateIndex
CREATE INDEX "database_connections_health_status_idx" ON "database_connections"("health_status");
