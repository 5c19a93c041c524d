/** Databases for connection tests to reach: on the local PostgreSQL and MariaDB, made and dropped by the tests. */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { POSTGRES_ADMIN_URL } from './databases.ts';
import { keyless } from './discovery.ts';

export const MARIADB_ADMIN = { host: '127.0.0.1', port: 3306, user: 'root', password: '' };

export const mariadbAvailable: boolean = await mysql
  .createConnection({ ...MARIADB_ADMIN, connectTimeout: 3_000 })
  .then(async (connection) => {
    await connection.end();
    return true;
  })
  .catch((error: Error) => {
    if (process.env.CI) throw new Error(`MariaDB at 127.0.0.1:3306 is required under CI: ${error.message}`);
    console.warn(`SKIPPED: the MariaDB connection tests, because 127.0.0.1:3306 is unreachable (${error.message}).`);
    return false;
  });

const name = () => `dcapi_target_${randomBytes(5).toString('hex')}`;

/** A PostgreSQL database with schema `sales`: table `orders` and view `big_orders`. */
/** The schema "sales" of every PostgreSQL target, as discovery answers it. */
export const POSTGRES_SALES_SCHEMA = keyless({
  name: 'sales',
  tables: [
    { name: 'big_orders', type: 'view', columns: [{ name: 'id', type: 'integer', nullable: true }] },
    {
      name: 'orders',
      type: 'table',
      columns: [
        { name: 'id', type: 'integer', nullable: false },
        { name: 'note', type: 'text', nullable: true },
      ],
    },
  ],
});

export async function createPostgresTarget() {
  const database = name();
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${database}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  await client.query(`CREATE SCHEMA sales;
    CREATE TABLE sales.orders (id integer NOT NULL, note text);
    CREATE VIEW sales.big_orders AS SELECT id FROM sales.orders WHERE id > 100;`);
  await client.end();
  return {
    database,
    uri: `${url.toString()}?sslmode=disable`,
    async drop() {
      const cleanup = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}

/** A MariaDB database with table `orders`, and a user with a password to reach it. */
export async function createMariadbTarget() {
  const database = name();
  const user = `u${randomBytes(4).toString('hex')}`;
  const password = `Pw-${randomBytes(6).toString('hex')}`;
  const admin = await mysql.createConnection({ ...MARIADB_ADMIN, multipleStatements: true });
  await admin.query(`CREATE DATABASE ${database};
    CREATE TABLE ${database}.orders (id INT NOT NULL, note TEXT NULL);
    CREATE USER '${user}'@'%' IDENTIFIED BY '${password}';
    CREATE USER '${user}'@'localhost' IDENTIFIED BY '${password}';
    GRANT ALL ON ${database}.* TO '${user}'@'%';
    GRANT ALL ON ${database}.* TO '${user}'@'localhost';`);
  await admin.end();
  return {
    database,
    user,
    password,
    uri: (scheme = 'mysql', pw = password) =>
      `${scheme}://${user}:${encodeURIComponent(pw)}@127.0.0.1:3306/${database}`,
    async drop() {
      const cleanup = await mysql.createConnection({ ...MARIADB_ADMIN, multipleStatements: true });
      await cleanup.query(
        `DROP DATABASE IF EXISTS ${database}; DROP USER IF EXISTS '${user}'@'%'; DROP USER IF EXISTS '${user}'@'localhost';`,
      );
      await cleanup.end();
    },
  };
}

/** A TCP server that accepts connections and never says a word: a database that does not answer. */
export async function startSilentServer() {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    /** The connections open to it now. */
    connections: () => sockets.size,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A port on which nothing listens. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
