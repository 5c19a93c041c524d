/** The workspaces table: the one module that reads or writes `workspaces` (a test holds the rule). */
import type { Prisma } from '../client.ts';
import type { Store } from '../store.ts';

/** The client, or the transaction, the workspaces are read or written in. */
export type WorkspaceClient = Pick<Prisma, 'workspace' | '$queryRawUnsafe'>;

export function workspaceStore(client: WorkspaceClient) {
  const table = client.workspace;
  return {
    byName: (name: string) => table.findUnique({ where: { name } }),
    /** The JSON text of the secret references the provisioning file allows the workspace, or null. */
    secretReferencesOf: async (name: string) =>
      (await table.findUnique({ where: { name }, select: { secretReferences: true } }))?.secretReferences ?? null,
    /**
     * Which of these workspaces exist, read so that none of them may leave before the transaction
     * ends: on PostgreSQL the rows are locked (FOR SHARE), so a deletion or rename waits for the
     * transaction, or is waited for and found; SQLite runs one write transaction at a time.
     */
    async existingNames(names: string[], provider: Store['provider']): Promise<Set<string>> {
      if (names.length === 0) return new Set();
      const rows =
        provider === 'postgresql'
          ? await client.$queryRawUnsafe<{ name: string }[]>(
              'SELECT name FROM workspaces WHERE name = ANY($1) FOR SHARE',
              names,
            )
          : await table.findMany({ where: { name: { in: names } }, select: { name: true } });
      return new Set(rows.map((row) => row.name));
    },
    /** These workspaces (null: every one), by name. */
    list: (names: string[] | null) =>
      table.findMany({ where: names ? { name: { in: names } } : {}, orderBy: { name: 'asc' } }),
    /** Each workspace's name and the JSON text of its secret references. */
    allSecretReferences: () => table.findMany({ select: { name: true, secretReferences: true } }),
    /** The workspaces the provisioning file made that are not among these names. */
    managedOutside: (names: string[]) => table.findMany({ where: { managed: true, name: { notIn: names } } }),

    insert: (name: string, createdAt: Date, managed?: boolean) =>
      table.create({ data: { name, createdAt, ...(managed !== undefined && { managed }) } }),
    delete: (name: string) => table.delete({ where: { name } }),
    setSecretReferences: (name: string, secretReferences: string | null) =>
      table.update({ where: { name }, data: { secretReferences } }),
    markManaged: (names: string[]) => table.updateMany({ where: { name: { in: names } }, data: { managed: true } }),
  };
}
