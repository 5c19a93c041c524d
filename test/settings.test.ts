/**
 * The SSH and TLS settings through GraphQL, on both stores: masked unless
 * revealed, kept when sent back masked, checked again once the stored secrets
 * are back in place, and tied to use_ssh and the URI on partial updates.
 */
import { describe, expect, it } from 'vitest';
import { STORES } from './support/databases.ts';
import { useServiceFixture } from './support/service.ts';
import { generateKeyPair } from './support/sshd.ts';

const KEY = generateKeyPair('Key-Passphrase-1');
const SSH = {
  host: 'bastion.internal',
  username: 'tunnel',
  privateKey: KEY.privateKey,
  privateKeyPassword: 'Key-Passphrase-1',
};
const SELECTION = `id connectionUri useSsh sshSettings { host port username password privateKey privateKeyPassword hostKeyFingerprint }`;

const CREATE = `mutation ($input: CreateDatabaseConnectionInput!) {
  createDatabaseConnection(input: $input) {
    __typename
    ... on CreateDatabaseConnectionSuccess { databaseConnection { ${SELECTION} } }
    ... on ValidationError { fieldErrors { field message } }
  }
}`;
const UPDATE = `mutation ($id: ID!, $input: UpdateDatabaseConnectionInput!) {
  updateDatabaseConnection(id: $id, input: $input) {
    __typename
    ... on UpdateDatabaseConnectionSuccess { databaseConnection { ${SELECTION} } }
    ... on ValidationError { fieldErrors { field message } }
  }
}`;
const REVEAL = `query ($id: ID!) {
  databaseConnection(id: $id) { sshSettings(reveal: true) { privateKey privateKeyPassword } }
}`;

describe.each(STORES)('SSH settings in GraphQL on $name', (store) => {
  const fixture = useServiceFixture(store);
  const create = async () => {
    const { data } = await fixture.api.graphql(CREATE, {
      input: { alias: 'ssh', connectionUri: 'postgresql://u:Db-Secret@db.internal/x', useSsh: true, sshSettings: SSH },
    });
    return data.createDatabaseConnection.databaseConnection;
  };
  const update = async (id: string, input: Record<string, unknown>) =>
    (await fixture.api.graphql(UPDATE, { id, input })).data.updateDatabaseConnection;

  it.skipIf(store.skip)('shows the secrets masked, with the port defaulted, and reveals them on purpose', async () => {
    const created = await create();
    expect(created.sshSettings).toEqual({
      host: 'bastion.internal',
      port: 22,
      username: 'tunnel',
      password: null,
      privateKey: '****',
      privateKeyPassword: '****',
      hostKeyFingerprint: null,
    });
    const { data } = await fixture.api.graphql(REVEAL, { id: created.id });
    expect(data.databaseConnection.sshSettings).toEqual({
      privateKey: KEY.privateKey,
      privateKeyPassword: 'Key-Passphrase-1',
    });
  });

  it.skipIf(store.skip)('keeps masked secrets, and checks them again with a new passphrase', async () => {
    const created = await create();
    const fingerprint = `SHA256:${'A'.repeat(43)}`;
    const kept = await update(created.id, { sshSettings: { ...created.sshSettings, hostKeyFingerprint: fingerprint } });
    expect(kept.__typename).toBe('UpdateDatabaseConnectionSuccess');
    expect(kept.databaseConnection.sshSettings.hostKeyFingerprint).toBe(fingerprint);
    const { data } = await fixture.api.graphql(REVEAL, { id: created.id });
    expect(data.databaseConnection.sshSettings.privateKey).toBe(KEY.privateKey);

    // The stored key, kept by its mask, with a passphrase that does not open it.
    const wrong = await update(created.id, {
      sshSettings: { ...created.sshSettings, privateKeyPassword: 'Not-The-Passphrase' },
    });
    expect(wrong).toEqual({
      __typename: 'ValidationError',
      fieldErrors: [{ field: 'sshSettings.privateKeyPassword', message: 'does not decrypt the private key' }],
    });
  });

  it.skipIf(store.skip)(
    'refuses a masked secret for another bastion, and a masked URI through another one',
    async () => {
      const created = await create();
      for (const moved of [{ host: 'elsewhere' }, { port: 2222 }, { username: 'someone' }]) {
        const otherBastion = await update(created.id, { sshSettings: { ...created.sshSettings, ...moved } });
        expect(otherBastion.fieldErrors).toEqual([{ field: 'sshSettings', message: expect.stringContaining('****') }]);
      }
      const uriThroughAnother = await update(created.id, {
        connectionUri: created.connectionUri,
        sshSettings: { ...SSH, host: 'elsewhere' },
      });
      expect(uriThroughAnother.fieldErrors).toEqual([
        { field: 'connectionUri', message: expect.stringContaining('****') },
      ]);
      const sameWay = await update(created.id, { connectionUri: created.connectionUri.replace('/x', '/x') });
      expect(sameWay.__typename).toBe('UpdateDatabaseConnectionSuccess');
    },
  );

  it.skipIf(store.skip)('ties useSsh to the stored settings on partial updates', async () => {
    const created = await create();
    expect((await update(created.id, { useSsh: false })).databaseConnection.useSsh).toBe(false);
    const dropped = await update(created.id, { sshSettings: null });
    expect(dropped.databaseConnection.sshSettings).toBeNull();
    expect(await update(created.id, { useSsh: true })).toEqual({
      __typename: 'ValidationError',
      fieldErrors: [{ field: 'sshSettings', message: 'is required to connect through SSH' }],
    });
  });
});
