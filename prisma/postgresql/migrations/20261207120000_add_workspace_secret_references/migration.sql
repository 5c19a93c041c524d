-- AlterTable
ALTER TABLE "workspaces" ADD COLUMN "secret_references" TEXT;
