/**
 * Vitest's global set-up: the vendors' test CA and the stand-ins' certificate
 * (test/support/vendors/routes.ts), trusted by every worker from its start.
 */
import { rmSync } from 'node:fs';
import { createVendorTls } from './vendors/routes.ts';

export default function vendorTls() {
  const { folder, env } = createVendorTls();
  Object.assign(process.env, env);
  return () => rmSync(folder, { recursive: true, force: true });
}
