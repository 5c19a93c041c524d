-- AlterTable
ALTER TABLE "database_connections" ADD COLUMN "use_ssh" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN "ssh_settings_encrypted" TEXT,
ADD COLUMN "ssh_settings_masked" TEXT,
ADD COLUMN "tls_settings_encrypted" TEXT,
ADD COLUMN "tls_settings_masked" TEXT;
