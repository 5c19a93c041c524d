/**
 * Routes the vendors' host names to their stand-ins, in this process: loaded with `--require` into
 * every test worker (vitest.config.ts, test.execArgv) and into the processes tests and the bench
 * start (NODE_OPTIONS, from routedProcessEnv in test/support/vendors/routes.ts). So a driver, or a
 * vendor's official client, reaches `https://acme.snowflakecomputing.com` as it would reach
 * Snowflake, with no port in the URI and nothing in /etc/hosts:
 *
 * - each vendor has a loopback address of its own (127.0.32.x); its host names (vendors/hosts.json)
 *   resolve to it through dns.lookup and dns.promises.lookup, ESM named imports of them included,
 *   so the service's network guard sees, and judges, a loopback address;
 * - a connection to that address, or to one of the names, on port 443 is made to the port the
 *   vendor's stand-in listens on at that address: DCAPI_TEST_VENDOR_ROUTES, {"trino": 41234},
 *   which the tests set (routeVendor) and the processes they start inherit;
 * - a vendor's name with no stand-in routed does not resolve (ENOTFOUND), so a test never reaches
 *   the real service, unless DCAPI_TEST_REAL_VENDORS=1 (the live tests, test/live.test.ts).
 *
 * CommonJS because `--require` loads it before any ES module, and plain JavaScript because it runs
 * in processes that have no TypeScript loader (the compiled service).
 */
'use strict';

const dns = require('node:dns');
const { syncBuiltinESMExports } = require('node:module');
const net = require('node:net');
const { promisify } = require('node:util');

/**
 * Each vendor's loopback address and host names, as certificates write them (`*.` stands for one
 * label): what is routed, and the names on the stand-ins' certificate. Trino has no vendor's host:
 * Starburst Galaxy, the hosted Trino, stands for one.
 */
const VENDORS = require('./vendors/hosts.json');

const HTTPS_PORT = 443;

/** Whether `name` is matched by `pattern`, a certificate's name (RFC 6125: `*` is one whole label). */
function matches(pattern, name) {
  if (!pattern.startsWith('*.')) return pattern === name;
  const dot = name.indexOf('.');
  return dot > 0 && name.slice(dot + 1) === pattern.slice(2);
}

/** The vendor whose host name this is. */
function vendorNamed(host) {
  if (typeof host !== 'string') return undefined;
  const name = host.toLowerCase().replace(/\.$/, '');
  return Object.keys(VENDORS).find((vendor) => VENDORS[vendor].hosts.some((pattern) => matches(pattern, name)));
}

/** The vendor whose host name or loopback address this is. */
const vendorOf = (host) => vendorNamed(host) ?? Object.keys(VENDORS).find((vendor) => VENDORS[vendor].address === host);

/** The stand-ins' ports by vendor, as the tests set them. */
function routes() {
  try {
    return JSON.parse(process.env.DCAPI_TEST_VENDOR_ROUTES || '{}');
  } catch {
    return {};
  }
}

const passThrough = () => process.env.DCAPI_TEST_REAL_VENDORS === '1';

/** Where a lookup of a vendor's name ends: its address, or the error getaddrinfo gives for an unknown name. */
function answer(hostname, options) {
  const vendor = vendorNamed(hostname);
  const family = typeof options === 'number' ? options : (options?.family ?? 0);
  if (routes()[vendor] && (family === 0 || family === 4 || family === 'IPv4')) {
    return { address: VENDORS[vendor].address, family: 4 };
  }
  return Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
    code: 'ENOTFOUND',
    errno: -3008,
    syscall: 'getaddrinfo',
    hostname,
  });
}

const settle = (result, options) => (options?.all && !(result instanceof Error) ? [result] : result);

const systemLookup = dns.lookup;
dns.lookup = function lookup(hostname, ...rest) {
  if (!vendorNamed(hostname) || passThrough()) return systemLookup.call(this, hostname, ...rest);
  const [options, callback] = rest;
  const done = typeof options === 'function' ? options : callback;
  const result = settle(answer(hostname, options), options);
  process.nextTick(() => {
    if (result instanceof Error) done(result);
    else if (Array.isArray(result)) done(null, result);
    else done(null, result.address, result.family);
  });
  return {};
};

const systemPromiseLookup = dns.promises.lookup;
dns.promises.lookup = async function lookup(hostname, options) {
  if (!vendorNamed(hostname) || passThrough()) return systemPromiseLookup.call(this, hostname, options);
  const result = settle(answer(hostname, options), options);
  if (result instanceof Error) throw result;
  return result;
};

// util.promisify(dns.lookup) resolves { address, family } through this custom form: the routed one.
Object.defineProperty(dns.lookup, promisify.custom, { value: (...args) => dns.promises.lookup(...args) });

/** The stand-in's address and port for a connection to host:port, or undefined to connect as asked. */
function rerouted(host, port) {
  const vendor = Number(port) === HTTPS_PORT ? vendorOf(host) : undefined;
  const routed = vendor && !passThrough() && routes()[vendor];
  return routed ? { host: VENDORS[vendor].address, port: routed } : undefined;
}

// Every TCP connection, TLS ones included (tls.connect calls it), whichever client makes it:
// node:http agents, axios, undici (fetch), the service's own sockets. The caller's options object
// is never changed: TLS checks the certificate against the name it holds.
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function connectRouted(...args) {
  const [first] = args;
  if (Array.isArray(first)) {
    // net.connect's already normalized [options, callback].
    const to = first[0] && rerouted(first[0].host, first[0].port);
    if (to) first[0] = { ...first[0], ...to };
  } else if (first !== null && typeof first === 'object') {
    const to = rerouted(first.host, first.port);
    if (to) args[0] = { ...first, ...to };
  } else if (typeof args[1] === 'string') {
    const to = rerouted(args[1], first);
    if (to) [args[0], args[1]] = [to.port, to.host];
  }
  return connect.apply(this, args);
};

// A proxy set on the machine must not see the vendors' names: clients that read these variables
// (axios, through proxy-from-env) then connect directly, that is, to the stand-ins.
if (process.env.HTTPS_PROXY || process.env.https_proxy || process.env.HTTP_PROXY || process.env.http_proxy) {
  const names = Object.values(VENDORS).flatMap((vendor) => vendor.hosts.map((host) => host.replace(/^\*/, '')));
  for (const variable of ['NO_PROXY', 'no_proxy']) {
    process.env[variable] = [process.env[variable], ...names].filter(Boolean).join(',');
  }
}

// `import { lookup } from 'node:dns/promises'` reads the builtin's ESM exports: bring them up to date.
syncBuiltinESMExports();

// Tells the harness (test/support/vendors/routes.ts) that this process routes the vendors' names.
globalThis[Symbol.for('dcapi.vendorRoutes')] = true;
