-- AlterTable
ALTER TABLE "database_connections" ADD COLUMN "use_ssh" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "database_connections" ADD COLUMN "ssh_settings_encrypted" TEXT;
ALTER TABLE "database_connections" ADD COLUMN "ssh_settings_masked" TEXT;
ALTER TABLE "database_connections" ADD COLUMN "tls_settings_encrypted" TEXT;
ALTER TABLE "database_connections" ADD COLUMN "tls_settings_masked" TEXT;
