/** The Idempotency-Key records' table: the one module that reads or writes `idempotency_keys` (a test holds the rule). */
import type { Prisma } from '../client.ts';

/** A request claiming a key: its hash, no response yet, and when. */
export interface Claim {
  requestHash: string;
  response: null;
  createdAt: Date;
}

export function idempotencyKeyStore(client: Pick<Prisma, 'idempotencyKey'>) {
  const table = client.idempotencyKey;
  const idOf = (principal: string, key: string) => ({ principal_key: { principal, key } });
  return {
    find: (principal: string, key: string) => table.findUnique({ where: idOf(principal, key) }),
    /** Forgets the records made before `cutoff`. */
    deleteBefore: (cutoff: Date) => table.deleteMany({ where: { createdAt: { lt: cutoff } } }),
    insert: (principal: string, key: string, claim: Claim) => table.create({ data: { principal, key, ...claim } }),
    /** Takes over a record still as it was made at `createdAt`; answers how many it wrote (0 or 1). */
    takeOver: (principal: string, key: string, createdAt: Date, claim: Claim) =>
      table.updateMany({ where: { principal, key, createdAt }, data: claim }),
    keepResponse: (principal: string, key: string, response: string) =>
      table.update({ where: idOf(principal, key), data: { response } }),
    delete: (principal: string, key: string) => table.delete({ where: idOf(principal, key) }),
  };
}
