-- CreateTable
CREATE TABLE "audit_events" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "at" DATETIME NOT NULL,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "connection_id" TEXT,
    "alias" TEXT,
    "fields" TEXT NOT NULL,
    "request_id" TEXT,
    "outcome" TEXT NOT NULL
);

-- CreateIndex
CREATE INDEX "audit_events_at_idx" ON "audit_events"("at");

-- CreateIndex
CREATE INDEX "audit_events_connection_id_id_idx" ON "audit_events"("connection_id", "id");
