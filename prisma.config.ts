/**
 * For Prisma's CLI where its schema engine is installed (e.g. `prisma migrate
 * status`): picks the provider's schema and migrations from DATABASE_URL, as
 * the service does. The service itself does not read this file.
 */
import { defineConfig } from 'prisma/config';

const url = process.env.DATABASE_URL || 'file:./data/connections.db';
const provider = /^postgres(ql)?:\/\//.test(url) ? 'postgresql' : 'sqlite';

export default defineConfig({
  schema: `prisma/${provider}/schema.prisma`,
  datasource: { url },
});
