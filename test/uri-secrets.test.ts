/** Masking the secrets of connection URIs, and the cipher that keeps them at rest. */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DecryptionError, decrypt, encrypt, encryptionKey, keyIdOf } from '../src/secrets/cipher.ts';
import { hasMaskedSecret, maskConnectionUri, restoreMaskedSecrets, secretsIn } from '../src/secrets/uri-secrets.ts';

describe('maskConnectionUri', () => {
  it.each([
    ['postgresql://user:password@localhost/dbname', 'postgresql://user:****@localhost/dbname'],
    [
      'postgresql+psycopg2://u:p%40ss@db.internal:5432/app?sslmode=require',
      'postgresql+psycopg2://u:****@db.internal:5432/app?sslmode=require',
    ],
    ['mysql://root:p@ss@word@h:3306/db', 'mysql://root:****@h:3306/db'],
    ['mssql+pyodbc://sa:Secr3t!@srv/db?driver=ODBC+Driver+18', 'mssql+pyodbc://sa:****@srv/db?driver=ODBC+Driver+18'],
    ['postgresql://user@localhost/dbname', 'postgresql://user@localhost/dbname'],
    [
      'postgresql://localhost/dbname?password=hunter2&sslpassword=x&application_name=bi',
      'postgresql://localhost/dbname?password=****&sslpassword=****&application_name=bi',
    ],
    [
      'snowflake://me@acct/db?private_key=abc&warehouse=wh&token=t0k',
      'snowflake://me@acct/db?private_key=****&warehouse=wh&token=****',
    ],
    [
      'bigquery://project/dataset?credentials_base64=eyJ9&location=EU',
      'bigquery://project/dataset?credentials_base64=****&location=EU',
    ],
    [
      'databricks://token:dapi123@host:443/default?http_path=/sql',
      'databricks://token:****@host:443/default?http_path=/sql',
    ],
    [
      'awsathena+rest://AKIA:wJalr@athena.eu-west-1.amazonaws.com/db?s3_staging_dir=s3://b/&aws_secret_access_key=zz',
      'awsathena+rest://AKIA:****@athena.eu-west-1.amazonaws.com/db?s3_staging_dir=s3://b/&aws_secret_access_key=****',
    ],
    [
      'mongodb://u:p@h1:27017,h2:27017/db?replicaSet=rs0&authSource=admin',
      'mongodb://u:****@h1:27017,h2:27017/db?replicaSet=rs0&authSource=admin',
    ],
    ['postgresql://user:@localhost/db', 'postgresql://user:@localhost/db'],
    ['oracle://u:pw@h:1521/?service_name=ORCL#frag', 'oracle://u:****@h:1521/?service_name=ORCL#frag'],
  ])('%s', (uri, masked) => {
    expect(maskConnectionUri(uri)).toBe(masked);
  });

  it('lists the secrets it masks', () => {
    expect(secretsIn('postgresql://u:pw@h/db?password=two&sslmode=require').sort()).toEqual(['pw', 'two']);
  });
});

describe('restoreMaskedSecrets', () => {
  const stored = 'postgresql://user:s3cret@db:5432/app?sslpassword=k3y&sslmode=require';

  it('puts back the stored secrets where the URI carries ****', () => {
    const incoming = 'postgresql://user:****@db:5432/app?sslpassword=****&sslmode=verify-full';
    expect(hasMaskedSecret(incoming)).toBe(true);
    expect(restoreMaskedSecrets(incoming, stored)).toBe(
      'postgresql://user:s3cret@db:5432/app?sslpassword=k3y&sslmode=verify-full',
    );
  });

  it.each([
    ['another host', 'postgresql://user:****@evil.example:5432/app'],
    ['another port', 'postgresql://user:****@db:6543/app'],
    ['another user', 'postgresql://admin:****@db:5432/app'],
    ['another database', 'postgresql://user:****@db:5432/other'],
    ['another scheme', 'mysql://user:****@db:5432/app'],
    ['a parameter the stored URI lacks', 'postgresql://user:****@db:5432/app?token=****'],
  ])('refuses to carry the secret to %s', (_name, incoming) => {
    expect(restoreMaskedSecrets(incoming, stored)).toBeUndefined();
  });

  it('refuses **** where the stored URI has no password', () => {
    expect(restoreMaskedSecrets('postgresql://user:****@db/app', 'postgresql://user@db/app')).toBeUndefined();
  });
});

describe('the cipher', () => {
  const key = encryptionKey(randomBytes(32));
  const keys = new Map([[key.id, key]]);

  it('round-trips, names its key, and never repeats a ciphertext', () => {
    const uri = 'postgresql://user:password@localhost/dbname';
    const first = encrypt(uri, key, 'row-1');
    expect(first).not.toContain('password');
    expect(keyIdOf(first)).toBe(key.id);
    expect(encrypt(uri, key, 'row-1')).not.toBe(first);
    expect(decrypt(first, keys, 'row-1')).toBe(uri);
  });

  it('refuses a ciphertext moved to another row, tampered with, or made with an unknown key', () => {
    const ciphertext = encrypt('x://secret', key, 'row-1');
    expect(() => decrypt(ciphertext, keys, 'row-2')).toThrow(DecryptionError);
    // The second-to-last character carries six bits of the ciphertext (the last one partly padding): change it.
    const tampered = `${ciphertext.slice(0, -2)}${ciphertext.at(-2) === 'A' ? 'B' : 'A'}${ciphertext.slice(-1)}`;
    expect(tampered).not.toBe(ciphertext);
    expect(() => decrypt(tampered, keys, 'row-1')).toThrow(DecryptionError);
    const other = encryptionKey(randomBytes(32));
    expect(() => decrypt(encrypt('x://s', other, 'r'), keys, 'r')).toThrow(/not configured/);
  });
});
