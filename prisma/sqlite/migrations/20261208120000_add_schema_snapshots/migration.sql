-- CreateIndex
CREATE UNIQUE INDEX "database_connections_id_workspace_key" ON "database_connections"("id", "workspace");

-- CreateTable
CREATE TABLE "schema_snapshots" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "connection_id" TEXT NOT NULL,
    "sequence" INTEGER NOT NULL,
    "workspace" TEXT NOT NULL,
    "content_hash" TEXT NOT NULL,
    "catalog" BLOB NOT NULL,
    "row_counts" BLOB NOT NULL,
    "table_count" INTEGER NOT NULL,
    "column_count" INTEGER NOT NULL,
    "created_at" DATETIME NOT NULL,
    "checked_at" DATETIME NOT NULL,
    CONSTRAINT "schema_snapshots_connection_id_workspace_fkey" FOREIGN KEY ("connection_id", "workspace") REFERENCES "database_connections" ("id", "workspace") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "schema_changes" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "connection_id" TEXT NOT NULL,
    "workspace" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "before" TEXT,
    "after" TEXT,
    "detected_at" DATETIME NOT NULL,
    "snapshot_id" INTEGER NOT NULL,
    CONSTRAINT "schema_changes_snapshot_id_fkey" FOREIGN KEY ("snapshot_id") REFERENCES "schema_snapshots" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "schema_changes_connection_id_workspace_fkey" FOREIGN KEY ("connection_id", "workspace") REFERENCES "database_connections" ("id", "workspace") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "schema_snapshots_connection_id_sequence_key" ON "schema_snapshots"("connection_id", "sequence");

-- CreateIndex
CREATE INDEX "schema_changes_connection_id_id_idx" ON "schema_changes"("connection_id", "id");

-- CreateIndex
CREATE INDEX "schema_changes_snapshot_id_idx" ON "schema_changes"("snapshot_id");
