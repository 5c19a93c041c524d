/**
 * The vendors' stand-ins reached as the services are: by the vendor's own host names, on port 443,
 * over TLS that the service and the vendors' official clients trust as they trust a public CA
 * (docs/development.md, "Vendors' stand-ins"). The routing itself is ../vendor-routes.cjs, loaded
 * into every test worker by vitest.config.ts; this module starts a stand-in where a vendor's names
 * lead, makes the certificates, and gives a process the tests start what it needs to do the same.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCertificateAuthority, type Issued } from '../certificates.ts';
import { type Handler, startVendorServer, type VendorServer } from './server.ts';

const require = createRequire(import.meta.url);

export type Vendor = 'snowflake' | 'bigquery' | 'databricks' | 'athena' | 'trino';

/** Each vendor's loopback address and host names (one file, read by the routing too). */
export const VENDORS: Record<Vendor, { address: string; hosts: string[] }> = require('./hosts.json');

/** The module that routes the names, for `--require`. */
export const VENDOR_ROUTES_MODULE = require.resolve('../vendor-routes.cjs');

const ROUTES = 'DCAPI_TEST_VENDOR_ROUTES';
const TLS_FOLDER = 'DCAPI_TEST_VENDOR_TLS';

const routes = (): Partial<Record<Vendor, number>> => JSON.parse(process.env[ROUTES] ?? '{}');

/**
 * Sends connections to `vendor`'s names on port 443 to `port` on the vendor's address (none: its
 * names no longer resolve), in this process and in those it starts afterwards.
 */
export function routeVendor(vendor: Vendor, port: number | undefined): void {
  if (!(globalThis as Record<symbol, unknown>)[Symbol.for('dcapi.vendorRoutes')]) {
    throw new Error(`this process does not route the vendors' names: load ${VENDOR_ROUTES_MODULE} with --require`);
  }
  const next = { ...routes(), [vendor]: port };
  if (port === undefined) delete next[vendor];
  process.env[ROUTES] = JSON.stringify(next);
}

/**
 * Starts a stand-in on `vendor`'s loopback address, over TLS with the certificate for every
 * vendor's names, and routes the vendor's names to it until it is closed.
 */
export async function startRoutedVendor(vendor: Vendor, handler: Handler): Promise<VendorServer> {
  const server = await startVendorServer(handler, vendorTls(), VENDORS[vendor].address);
  routeVendor(vendor, server.port);
  return {
    ...server,
    close: async () => {
      routeVendor(vendor, undefined);
      await server.close();
    },
  };
}

/** The stand-ins' certificate (for every vendor's names) and the test CA that signed it. */
export interface VendorTls extends Issued {
  ca: string;
}

/**
 * Makes the test CA and the stand-ins' certificate in a folder of their own. Returns the folder and
 * the environment that makes a process trust that CA beside the public ones: NODE_EXTRA_CA_CERTS,
 * which Node.js reads when a process starts, so it is set by vitest's global set-up before the
 * workers start (test/support/vendor-tls.ts), and by the bench for the service it starts.
 */
export function createVendorTls(): { folder: string; env: Record<string, string> } {
  const folder = mkdtempSync(join(tmpdir(), 'dcapi-vendors-'));
  const ca = createCertificateAuthority('dcapi vendors test CA');
  const issued = ca.server({ dns: Object.values(VENDORS).flatMap((vendor) => vendor.hosts) });
  writeFileSync(join(folder, 'ca.pem'), ca.certificate);
  writeFileSync(join(folder, 'certificate.pem'), issued.certificate);
  writeFileSync(join(folder, 'key.pem'), issued.key, { mode: 0o600 });
  // CAs the machine already adds stay trusted.
  const extra = process.env.NODE_EXTRA_CA_CERTS ? readFileSync(process.env.NODE_EXTRA_CA_CERTS, 'utf8') : '';
  writeFileSync(join(folder, 'trusted.pem'), `${extra}\n${ca.certificate}`);
  return { folder, env: { NODE_EXTRA_CA_CERTS: join(folder, 'trusted.pem'), [TLS_FOLDER]: folder } };
}

/** The certificates createVendorTls made for this run. */
export function vendorTls(): VendorTls {
  const folder = process.env[TLS_FOLDER];
  if (!folder) throw new Error(`${TLS_FOLDER} is not set: vitest's global set-up (test/support/vendor-tls.ts) sets it`);
  const read = (name: string) => readFileSync(join(folder, name), 'utf8');
  return { ca: read('ca.pem'), certificate: read('certificate.pem'), key: read('key.pem') };
}

/** What a process started by a test needs to reach the stand-ins as this one does: the routing, the routes, the CA. */
export function routedProcessEnv(): Record<string, string> {
  return {
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${JSON.stringify(VENDOR_ROUTES_MODULE)}`.trim(),
    [ROUTES]: process.env[ROUTES] ?? '{}',
    [TLS_FOLDER]: process.env[TLS_FOLDER] ?? '',
    NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS ?? '',
  };
}

/** For the live tests only: the vendors' names resolve and connect as the system does, to the real services. */
export function reachRealVendors(): void {
  process.env.DCAPI_TEST_REAL_VENDORS = '1';
}
