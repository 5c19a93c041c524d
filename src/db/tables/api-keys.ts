/** The API keys table (keys made through the API): the one module that reads or writes `api_keys` (a test holds the rule). */
import type { ApiKey, Prisma as PrismaTypes } from '../../generated/sqlite/client.ts';
import type { Prisma } from '../client.ts';

export type ApiKeyRow = ApiKey;

/** The client, or the transaction, the keys are read or written in. */
export type ApiKeyClient = Pick<Prisma, 'apiKey'>;

export function apiKeyStore(client: ApiKeyClient) {
  const table = client.apiKey;
  return {
    byHash: (hash: string) => table.findUnique({ where: { hash } }),
    byId: (id: string) => table.findUnique({ where: { id } }),
    /** The grants (as stored) and revocations of these keys. */
    states: (ids: readonly string[]) =>
      table.findMany({ where: { id: { in: [...ids] } }, select: { id: true, grants: true, revokedAt: true } }),
    /** Every key, newest first. */
    all: () => table.findMany({ orderBy: [{ createdAt: 'desc' }, { id: 'asc' }] }),
    /** The keys whose grants' JSON holds this text (a workspace's name, quoted). */
    holding: (text: string) => table.findMany({ where: { grants: { contains: text } } }),

    insert: (row: PrismaTypes.ApiKeyCreateInput) => table.create({ data: row }),
    update: (id: string, data: PrismaTypes.ApiKeyUpdateInput) => table.update({ where: { id }, data }),
    /** Writes the key's last use, unless another request wrote it since `seen`. */
    touch: (id: string, seen: Date | null, now: Date) =>
      table.updateMany({ where: { id, lastUsedAt: seen }, data: { lastUsedAt: now } }),
  };
}
