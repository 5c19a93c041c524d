-- CreateTable
CREATE TABLE "workspaces" (
    "name" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL,
    "managed" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "workspaces_pkey" PRIMARY KEY ("name")
);

-- The workspace of every connection so far, and of those created without one
INSERT INTO "workspaces" ("name", "created_at") VALUES ('default', now() AT TIME ZONE 'UTC');

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
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "grants" TEXT NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL,
    "expires_at" TIMESTAMP(3),
    "revoked_at" TIMESTAMP(3),
    "last_used_at" TIMESTAMP(3),

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_hash_key" ON "api_keys"("hash");
