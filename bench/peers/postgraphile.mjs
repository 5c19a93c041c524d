/**
 * PostGraphile 5 over the bench's PostgreSQL table (DATABASE_URL): its recommended preset (Amber),
 * served by grafserv over node:http, GraphiQL off; nothing else. Prints `PEER <url>` when it listens.
 */
import { createServer } from 'node:http';
import { postgraphile } from 'postgraphile';
import { makePgService } from 'postgraphile/adaptors/pg';
import { grafserv } from 'postgraphile/grafserv/node';
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';

const pgl = postgraphile({
  extends: [PostGraphileAmberPreset],
  pgServices: [makePgService({ connectionString: process.env.DATABASE_URL, schemas: ['public'] })],
  grafserv: { graphiql: false },
});
const server = createServer();
// Builds the schema from the database; a failure ends the process, so the bench stops with its message.
await pgl.createServ(grafserv).addTo(server);
server.listen(0, '127.0.0.1', () => console.log(`PEER http://127.0.0.1:${server.address().port}`));
process.on('SIGTERM', () => server.close(() => pgl.release().then(() => process.exit(0))));
