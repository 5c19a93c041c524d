-- CreateTable
CREATE TABLE "database_connections" (
    "id" TEXT NOT NULL,
    "alias" TEXT NOT NULL,
    "alias_key" TEXT NOT NULL,
    "connection_uri_encrypted" TEXT NOT NULL,
    "connection_uri_masked" TEXT NOT NULL,
    "dialect" TEXT NOT NULL,
    "schemas" TEXT NOT NULL,
    "metadata" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "database_connections_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "database_connections_alias_key_key" ON "database_connections"("alias_key");

-- CreateIndex
CREATE INDEX "database_connections_created_at_id_idx" ON "database_connections"("created_at", "id");
