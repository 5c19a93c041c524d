/** Connection URIs encrypted at rest, the keys that do it, and masked secrets sent back. */

import { readdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toolPrincipal } from '../src/auth/api-keys.ts';
import { rotateKeys } from '../src/commands/connections/key-rotation.ts';
import { recordedChanges } from '../src/commands/recorded-changes.ts';
import { createPrismaClient } from '../src/db/client.ts';
import { storeFromUrl } from '../src/db/store.ts';
import { connectionStore } from '../src/db/tables/connections.ts';
import { createConnectionEvents } from '../src/events/connection-events.ts';
import { createLogger } from '../src/logger.ts';
import { decrypt, encryptionKey, keyIdOf } from '../src/secrets/cipher.ts';
import { connectionSecrets } from '../src/secrets/connection-secrets.ts';

import { createCertificateAuthority } from './support/certificates.ts';
import { runSql, STORES } from './support/databases.ts';
import { clientFor, startTestService, TEST_ENCRYPTION_KEY } from './support/service.ts';
import { generateKeyPair } from './support/sshd.ts';

const PATH = '/api/v1/database-connections';
const SECRET_URI =
  'postgresql://analyst:hunter2-Unique@warehouse.internal:5432/sales?sslpassword=k3y-Unique&sslmode=require';
const SSH_KEY = generateKeyPair();
const CLIENT = createCertificateAuthority().client('analyst');
/** SSH and TLS settings with a secret of each kind. */
const SECRET_SETTINGS = {
  use_ssh: true,
  ssh_settings: {
    host: 'bastion.internal',
    username: 'tunnel',
    password: 'Ssh-Secret-77',
    private_key: SSH_KEY.privateKey,
  },
  tls_settings: { client_certificate: CLIENT.certificate, client_key: CLIENT.key },
};
const KEY_A = TEST_ENCRYPTION_KEY;
const KEY_B = Buffer.alloc(32, 9).toString('base64');
const keyOf = (base64: string) => encryptionKey(Buffer.from(base64, 'base64'));

describe.each(STORES)('encryption at rest on $name', ({ name, create, skip }) => {
  it.skipIf(skip)('stores no password in plaintext, anywhere in the database', async () => {
    const database = await create();
    const service = await startTestService(database.url);
    try {
      const api = clientFor(service.url);
      const created = await api.request('POST', PATH, {
        alias: 'secret',
        connection_uri: SECRET_URI,
        ...SECRET_SETTINGS,
      });
      expect(created.body.connection_uri).toBe(
        'postgresql://analyst:****@warehouse.internal:5432/sales?sslpassword=****&sslmode=require',
      );
      expect(created.body.ssh_settings).toMatchObject({ password: '****', private_key: '****' });
      expect(created.body.tls_settings).toMatchObject({ client_key: '****' });
      const rows = await runSql(database, 'SELECT * FROM database_connections');
      expect(JSON.stringify(rows)).not.toMatch(/hunter2|k3y-Unique|Ssh-Secret-77/);
      for (const key of [SSH_KEY.privateKey, CLIENT.key])
        expect(JSON.stringify(rows)).not.toContain(key.split('\n')[1]);
      const [row] = rows as { id: string; connection_uri_encrypted: string }[];
      expect(
        decrypt(row?.connection_uri_encrypted ?? '', new Map([[keyOf(KEY_A).id, keyOf(KEY_A)]]), row?.id ?? ''),
      ).toBe(SECRET_URI);
      if (name === 'sqlite') {
        // The database file and its write-ahead log, byte for byte.
        const folder = dirname(database.url.slice('file:'.length));
        for (const file of readdirSync(folder)) {
          const bytes = readFileSync(`${folder}/${file}`);
          for (const secret of ['hunter2', 'Ssh-Secret-77', SSH_KEY.privateKey.split('\n')[1] as string]) {
            expect(bytes.includes(secret), file).toBe(false);
          }
        }
      }
    } finally {
      await service.stop();
      await database.drop();
    }
  });

  it.skipIf(skip)(
    'refuses to start with a key that did not write the data, and reads it with that key listed as previous',
    async () => {
      const database = await create();
      try {
        let service = await startTestService(database.url, { ENCRYPTION_KEY: KEY_A });
        await clientFor(service.url).request('POST', PATH, { alias: 'a', connection_uri: SECRET_URI });
        await service.stop();

        await expect(startTestService(database.url, { ENCRYPTION_KEY: KEY_B })).rejects.toThrow(
          new RegExp(`encrypted with key ${keyOf(KEY_A).id}, which is not configured.*ENCRYPTION_KEYS_PREVIOUS`),
        );

        service = await startTestService(database.url, { ENCRYPTION_KEY: KEY_B, ENCRYPTION_KEYS_PREVIOUS: KEY_A });
        const api = clientFor(service.url);
        const [row] = (await api.request('GET', PATH)).body;
        // Sending back the masked URI needs the stored one decrypted: the previous key does it.
        const put = await api.request('PUT', `${PATH}/${row.id}`, { alias: 'a', connection_uri: row.connection_uri });
        expect(put.status).toBe(200);
        await service.stop();
      } finally {
        await database.drop();
      }
    },
  );

  it.skipIf(skip)(
    'rotate-keys re-encrypts every row under the current key, and a second run has nothing to do',
    async () => {
      const database = await create();
      try {
        const before = await startTestService(database.url, { ENCRYPTION_KEY: KEY_A });
        const api = clientFor(before.url);
        for (let i = 0; i < 7; i++) {
          // Every other one with SSH and TLS settings: their ciphertexts rotate with the URI's.
          const settings = i % 2 === 0 ? SECRET_SETTINGS : {};
          await api.request('POST', PATH, { alias: `r${i}`, connection_uri: SECRET_URI, ...settings });
        }
        await before.stop();

        const keys = { current: keyOf(KEY_B), all: new Map([keyOf(KEY_A), keyOf(KEY_B)].map((k) => [k.id, k])) };
        const store = storeFromUrl(database.url);
        const prisma = await createPrismaClient(store);
        const events = createConnectionEvents(store, prisma, createLogger('silent'), { listen: false });
        try {
          const rotate = () =>
            rotateKeys(
              { changes: recordedChanges(prisma, events, store.provider), secrets: connectionSecrets(keys, true) },
              connectionStore(prisma),
              { principal: toolPrincipal('rotate-keys') },
              3,
            );
          expect(await rotate()).toBe(7);
          expect(await rotate()).toBe(0);
          const trail = await runSql(database, "SELECT actor, outcome FROM audit_events WHERE action = 'rotate_keys'");
          expect(trail).toEqual([
            { actor: 'rotate-keys', outcome: 'ok: 7 re-encrypted' },
            { actor: 'rotate-keys', outcome: 'ok: 0 re-encrypted' },
          ]);
        } finally {
          await prisma.$disconnect();
        }
        const rows = (await runSql(
          database,
          'SELECT connection_uri_encrypted, ssh_settings_encrypted, tls_settings_encrypted FROM database_connections',
        )) as Record<string, string | null>[];
        const ciphertexts = rows.flatMap((row) => Object.values(row).filter((value) => value !== null));
        expect(ciphertexts).toHaveLength(7 + 4 + 4);
        expect(new Set(ciphertexts.map((ciphertext) => keyIdOf(ciphertext as string)))).toEqual(
          new Set([keyOf(KEY_B).id]),
        );

        // The old key is no longer needed.
        const after = await startTestService(database.url, { ENCRYPTION_KEY: KEY_B });
        const listed = (await clientFor(after.url).request('GET', PATH)).body;
        expect(listed).toHaveLength(7);
        const first = (await clientFor(after.url).request('GET', `${PATH}/${listed[0].id}?reveal=true`)).body;
        expect(first.ssh_settings.password).toBe('Ssh-Secret-77');
        expect(first.tls_settings.client_key).toBe(CLIENT.key);
        await after.stop();
      } finally {
        await database.drop();
      }
    },
  );
});

describe('encryption keys', () => {
  it.skipIf(STORES[1].skip)('are required with PostgreSQL', async () => {
    const database = await STORES[1].create();
    try {
      await expect(startTestService(database.url, { ENCRYPTION_KEY: '' })).rejects.toThrow(
        /ENCRYPTION_KEY is required with PostgreSQL/,
      );
    } finally {
      await database.drop();
    }
  });

  it('must be 32 bytes of base64, and a bad one is never echoed', async () => {
    const database = await STORES[0].create();
    try {
      for (const bad of ['short-but-secret', Buffer.alloc(31).toString('base64'), `${KEY_A}!`]) {
        const failure = startTestService(database.url, { ENCRYPTION_KEY: bad });
        await expect(failure).rejects.toThrow(/ENCRYPTION_KEY must be 32 random bytes, base64-encoded/);
        await expect(failure).rejects.not.toThrow(bad);
      }
    } finally {
      await database.drop();
    }
  });
});

describe.each(STORES)('masked secrets sent back on $name', (store) => {
  it.skipIf(store.skip)(
    'PUT with the URI as read keeps the stored secrets; for another host it is refused',
    async () => {
      const database = await store.create();
      const service = await startTestService(database.url);
      try {
        const api = clientFor(service.url);
        const created = (await api.request('POST', PATH, { alias: 'keep', connection_uri: SECRET_URI })).body;
        const masked = created.connection_uri;
        const moved = await api.request('PUT', `${PATH}/${created.id}`, {
          alias: 'keep',
          connection_uri: masked.replace('warehouse.internal', 'attacker.example'),
        });
        expect(moved.status).toBe(400);
        expect(moved.body.errors).toEqual([
          { field: 'connection_uri', message: expect.stringMatching(/^holds \*\*\*\* in place of a secret/) },
        ]);

        const kept = await api.request('PUT', `${PATH}/${created.id}`, {
          alias: 'keep',
          connection_uri: masked.replace('sslmode=require', 'sslmode=verify-full'),
        });
        expect(kept.status).toBe(200);
        const [row] = (await runSql(database, 'SELECT id, connection_uri_encrypted FROM database_connections')) as {
          id: string;
          connection_uri_encrypted: string;
        }[];
        const key = keyOf(KEY_A);
        expect(decrypt(row?.connection_uri_encrypted ?? '', new Map([[key.id, key]]), row?.id ?? '')).toBe(
          SECRET_URI.replace('sslmode=require', 'sslmode=verify-full'),
        );

        const copied = await api.request('POST', PATH, { alias: 'copy', connection_uri: masked });
        expect(copied.status).toBe(400);
        expect(copied.body.errors).toEqual([
          { field: 'connection_uri', message: 'holds ****, the mask of a secret: send the secret itself' },
        ]);
      } finally {
        await service.stop();
        await database.drop();
      }
    },
  );
});
