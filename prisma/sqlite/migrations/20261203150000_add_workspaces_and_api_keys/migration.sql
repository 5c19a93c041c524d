-- CreateTable
CREATE TABLE "workspaces" (
    "name" TEXT NOT NULL PRIMARY KEY,
    "created_at" DATETIME NOT NULL,
    "managed" BOOLEAN NOT NULL DEFAULT false
);

-- The workspace of every connection so far, and of those created without one
INSERT INTO "workspaces" ("name", "created_at") VALUES ('default', strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now'));

-- AlterTable
ALTER TABLE "database_connections" ADD COLUMN "workspace" TEXT NOT NULL DEFAULT 'default';

-- DropIndex
DROP INDEX "database_connections_alias_key_key";

-- CreateIndex
CREATE UNIQUE INDEX "database_connections_workspace_alias_key_key" ON "database_connections"("workspace", "alias_key");

-- AlterTable
ALTER TABLE "audit_events" ADD COLUMN "actor_id" TEXT;
ALTER TABLE "audit_events" ADD COLUMN "workspace" TEXT;

-- CreateTable
CREATE TABLE "api_keys" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "grants" TEXT NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL,
    "expires_at" DATETIME,
    "revoked_at" DATETIME,
    "last_used_at" DATETIME
);

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_hash_key" ON "api_keys"("hash");
