/**
 * The network guard against every spelling of an address: property tests that generate addresses
 * of every denied range in every notation and check the guard's decision, which opens no
 * connection and asks no DNS; the spellings this machine routes to itself tried for real against
 * loopback listeners, with loopback denied; DNS answers, and one that changes (rebinding); the
 * default deny-list as documented. No address outside this machine is ever connected to.
 */
import { readFileSync } from 'node:fs';
import { BlockList, isIP } from 'node:net';
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { openNetwork } from '../src/connectivity/network.ts';
import {
  DEFAULT_DENIED_CIDRS,
  DEFAULT_DENIED_RANGES,
  type Lookup,
  networkGuard,
  TargetNotAllowedError,
} from '../src/connectivity/network-guard.ts';
import { type LoopbackListeners, startLoopbackListeners } from './support/loopback-listeners.ts';

const LOOPBACK = ['127.0.0.0/8', '::1/128'];
/** The deny-list of a service that keeps callers from this machine: the defaults and loopback. */
const GUARDED = [...DEFAULT_DENIED_CIDRS, ...LOOPBACK];
/** Documentation ranges (RFC 5737, RFC 3849): addresses that may be decided on, never connected to. */
const DOCUMENTATION = ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24', '2001:db8::/32'];

/** A lookup a literal must never reach: the guard reads addresses itself, without DNS. */
const noLookup: Lookup = async (host) => {
  throw new Error(`looked up ${host}`);
};

const guardOf = (denied: string[], allowed: string[] = [], lookup = noLookup) =>
  networkGuard({ denied, allowed }, lookup);

/** The guard's decision: the address it lets the connection go to, or "refused". */
async function decide(guard: ReturnType<typeof guardOf>, host: string): Promise<string> {
  try {
    return await guard.resolve(host);
  } catch (error) {
    if (error instanceof TargetNotAllowedError) return 'refused';
    throw error;
  }
}

// ---- Addresses and their spellings -------------------------------------------------------------

const byte = fc.integer({ min: 0, max: 255 });
const bytes = (length: number) => fc.array(byte, { minLength: length, maxLength: length });

/** An address in `cidr`, as bytes: the prefix's bits, the others at random. */
function addressIn(cidr: string): fc.Arbitrary<number[]> {
  const [network, bits] = ipaddr.parseCIDR(cidr);
  const fixed = network.toByteArray();
  return bytes(fixed.length).map((random) =>
    fixed.map((value, index) => {
      const mask = (0xff << (8 - Math.max(0, Math.min(8, bits - 8 * index)))) & 0xff;
      return (value & mask) | ((random[index] as number) & ~mask & 0xff);
    }),
  );
}

/** The address as the guard must understand it, in its canonical form. */
const canonical = (address: number[]) => ipaddr.fromByteArray(address).toString();

type Base = 'decimal' | 'octal' | 'hex' | 'HEX';
const BASES: Base[] = ['decimal', 'octal', 'hex', 'HEX'];

function numberIn(value: number, base: Base, zeros: number): string {
  if (base === 'decimal') return String(value);
  if (base === 'octal') return `0${'0'.repeat(zeros)}${value.toString(8)}`;
  const digits = `${'0'.repeat(zeros)}${value.toString(16)}`;
  return base === 'hex' ? `0x${digits}` : `0X${digits.toUpperCase()}`;
}

/** IPv4 as inet_aton and URLs take it: 1 to 4 parts, each decimal, octal or hex, maybe a trailing dot. */
function ipv4Spelling(octets: number[]): fc.Arbitrary<string> {
  const style = fc.record({
    parts: fc.integer({ min: 1, max: 4 }),
    bases: fc.array(fc.constantFrom(...BASES), { minLength: 4, maxLength: 4 }),
    zeros: fc.integer({ min: 0, max: 3 }),
    dot: fc.boolean(),
  });
  return style.map(({ parts, bases, zeros, dot }) => {
    const last = octets.slice(parts - 1).reduce((value, octet) => value * 256 + octet, 0);
    const numbers = [...octets.slice(0, parts - 1), last];
    return `${numbers.map((value, index) => numberIn(value, bases[index] as Base, zeros)).join('.')}${dot ? '.' : ''}`;
  });
}

/** IPv6 in any case, groups padded with zeros, a run of zero groups compressed, a dotted quad, a zone, brackets. */
function ipv6Spelling(address: number[]): fc.Arbitrary<string> {
  const style = fc.record({
    upper: fc.boolean(),
    width: fc.integer({ min: 1, max: 4 }),
    compress: fc.boolean(),
    quad: fc.boolean(),
    zone: fc.constantFrom(undefined, 'lo', 'eth0', '1'),
    brackets: fc.boolean(),
  });
  return style.map(({ upper, width, compress, quad, zone, brackets }) => {
    const groups = Array.from({ length: quad ? 6 : 8 }, (_, index) =>
      (((address[2 * index] as number) << 8) | (address[2 * index + 1] as number)).toString(16).padStart(width, '0'),
    ).map((group) => (upper ? group.toUpperCase() : group));
    const tail = quad ? [address.slice(12).join('.')] : [];
    const run = compress ? longestZeroRun(groups) : undefined;
    const text = run
      ? `${groups.slice(0, run.start).join(':')}::${[...groups.slice(run.end), ...tail].join(':')}`
      : [...groups, ...tail].join(':');
    const zoned = zone === undefined ? text : `${text}%${zone}`;
    return brackets ? `[${zoned}]` : zoned;
  });
}

function longestZeroRun(groups: string[]): { start: number; end: number } | undefined {
  let best: { start: number; end: number } | undefined;
  for (let start = 0; start < groups.length; start++) {
    let end = start;
    while (end < groups.length && /^0+$/.test(groups[end] as string)) end++;
    if (end > start && (!best || end - start > best.end - best.start)) best = { start, end };
  }
  return best;
}

/** IPv6 addresses that carry an IPv4 address, given it and the other bytes each one holds. */
const EMBEDDINGS: Record<string, (ipv4: number[], other: number[]) => number[]> = {
  mapped: (ipv4) => [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...ipv4],
  translated: (ipv4) => [0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, ...ipv4],
  compatible: (ipv4) => [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ...ipv4],
  nat64: (ipv4) => [0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, ...ipv4],
  sixToFour: (ipv4, other) => [0x20, 0x02, ...ipv4, ...other.slice(0, 10)],
  teredoServer: (ipv4, other) => [0x20, 0x01, 0, 0, ...ipv4, ...other.slice(0, 4), ...other.slice(4, 8)],
  teredoClient: (ipv4, other) => [0x20, 0x01, 0, 0, ...other.slice(0, 8), ...ipv4.map((octet) => octet ^ 0xff)],
};

/**
 * An IPv4 address spelled as IPv4 or inside IPv6, with the bytes of the address written. `other`
 * fills the bytes beside it (a Teredo address holds two IPv4 addresses, the client's inverted).
 */
function spellingsOfIPv4(ipv4: number[], other: fc.Arbitrary<number[]>) {
  const asIPv6 = fc
    .tuple(fc.constantFrom(...Object.values(EMBEDDINGS)), other)
    .map(([embed, rest]) => embed(ipv4, rest))
    .chain((address) => ipv6Spelling(address).map((spelling) => ({ address, spelling })));
  return fc.oneof(
    ipv4Spelling(ipv4).map((spelling) => ({ address: ipv4, spelling })),
    asIPv6,
  );
}

function spellingsIn(cidr: string, other: fc.Arbitrary<number[]>) {
  return addressIn(cidr).chain((address) =>
    address.length === 4
      ? spellingsOfIPv4(address, other)
      : ipv6Spelling(address).map((spelling) => ({ address, spelling })),
  );
}

/**
 * Bytes beside an embedded address such that a Teredo address's other IPv4 address (the server's
 * at 0-3, the client's inverted at 4-7) is in a documentation range too.
 */
const documentationBytes = fc
  .tuple(addressIn('192.0.2.0/24'), addressIn('198.51.100.0/24'))
  .map(([first, second]) => [...first, ...second.map((octet) => octet ^ 0xff), 0, 0]);

/** Whether Node (inet_pton, another parser than the guard's) takes `connected` for `written`. */
function sameAddress(connected: string, written: number[]): boolean {
  const family = written.length === 4 ? 'ipv4' : 'ipv6';
  const list = new BlockList();
  list.addAddress(canonical(written), family);
  return (
    isIP(connected) !== 0 && list.check(connected.split('%')[0] as string, isIP(connected) === 6 ? 'ipv6' : 'ipv4')
  );
}

// ---- The decision, as a function of the address ------------------------------------------------

describe('the network guard’s decision, in every spelling', () => {
  const guard = guardOf(GUARDED);

  it('refuses every address of every denied range, in every notation, without a lookup', async () => {
    const denied = fc.constantFrom(...GUARDED).chain((cidr) => spellingsIn(cidr, bytes(10)));
    await fc.assert(
      fc.asyncProperty(denied, async ({ spelling }) => {
        expect(await decide(guard, spelling), spelling).toBe('refused');
      }),
      { numRuns: 2_000 },
    );
  });

  it('lets through addresses outside them, in every notation, to the very address written', async () => {
    const allowed = fc.constantFrom(...DOCUMENTATION).chain((cidr) => spellingsIn(cidr, documentationBytes));
    await fc.assert(
      fc.asyncProperty(allowed, async ({ address, spelling }) => {
        const connected = await decide(guard, spelling);
        expect(sameAddress(connected, address), `${spelling} → ${connected}`).toBe(true);
      }),
      { numRuns: 1_000 },
    );
  });

  it('decides on the address, not on how it is written', async () => {
    const anyAddress = fc.oneof(
      bytes(4),
      bytes(16),
      fc
        .tuple(fc.constantFrom(...Object.values(EMBEDDINGS)), bytes(4), bytes(10))
        .map(([embed, ipv4, other]) => embed(ipv4, other)),
    );
    const spell = (address: number[]) => (address.length === 4 ? ipv4Spelling(address) : ipv6Spelling(address));
    const written = anyAddress.chain((address) => fc.tuple(fc.constant(address), spell(address), spell(address)));
    await fc.assert(
      fc.asyncProperty(written, async ([address, one, two]) => {
        const [first, second] = await Promise.all([decide(guard, one), decide(guard, two)]);
        // The zone id goes with the connection, and takes no part in the decision.
        expect(first.split('%')[0], `${one} / ${two}`).toBe(second.split('%')[0]);
        if (first !== 'refused') expect(sameAddress(first, address), `${one} → ${first}`).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('the network guard, address by address', () => {
  it('refuses [::] and its spellings where loopback is denied, without ::/128 in the list (issue 31)', async () => {
    const guard = guardOf(LOOPBACK);
    for (const host of ['::', '[::]', '0:0:0:0:0:0:0:0', '0000:0000:0000:0000:0000:0000:0000:0000', '::%lo']) {
      await expect(guard.resolve(host), host).rejects.toThrow('(::1) are not allowed here');
    }
    await expect(guard.resolve('0.0.0.0')).rejects.toThrow('(127.0.0.1) are not allowed here');
    await expect(guard.resolve('::ffff:0.0.0.0')).rejects.toThrow('(127.0.0.1) are not allowed here');
  });

  it('denies by default the unspecified addresses, and leaves loopback to the settings', async () => {
    const guard = guardOf(DEFAULT_DENIED_CIDRS);
    for (const host of ['::', '0.0.0.0', '::ffff:0.0.0.0', '0', 'fd00:ec2::254', '169.254.169.254', '[fe80::1%eth0]']) {
      expect(await decide(guard, host), host).toBe('refused');
    }
    expect(await decide(guard, '127.0.0.1')).toBe('127.0.0.1');
    expect(await decide(guard, '::1')).toBe('::1');
  });

  it.each([
    ['IPv4-mapped', '::ffff:127.0.0.1', '::ffff:7f00:1'],
    ['IPv4-mapped in hex and capitals', '::FFFF:7F00:0001', '::ffff:7f00:1'],
    ['IPv4-translated', '::ffff:0:127.0.0.1', '127.0.0.1'],
    ['IPv4-compatible', '::127.0.0.1', '127.0.0.1'],
    ['NAT64', '64:ff9b::127.0.0.1', '127.0.0.1'],
    ['6to4', '2002:7f00:1::', '127.0.0.1'],
    ['Teredo, the server', '2001:0:7f00:1:0:0:4136:e378', '127.0.0.1'],
    ['Teredo, the client (inverted)', '2001:0:4136:e378:8000:63bf:80ff:fffe', '127.0.0.1'],
    ['decimal', '2130706433', '127.0.0.1'],
    ['octal', '0177.0.0.01', '127.0.0.1'],
    ['hex', '0x7f000001', '127.0.0.1'],
    ['two parts', '127.1', '127.0.0.1'],
    ['a trailing dot', '127.0.0.1.', '127.0.0.1'],
    ['leading zeros', '0000::0001', '::1'],
    ['a zone id', '::1%lo', '::1'],
  ])('reads %s (%s) as the loopback address it reaches', async (_name, host, refused) => {
    await expect(guardOf(LOOPBACK).resolve(host)).rejects.toThrow(`(${refused}) are not allowed here`);
  });

  it('wants every address a host reaches in the allow-list, when there is one', async () => {
    const guard = guardOf(DEFAULT_DENIED_CIDRS, ['192.0.2.0/24']);
    expect(await decide(guard, '::ffff:192.0.2.7')).toBe('::ffff:c000:207');
    expect(await decide(guard, '64:ff9b::192.0.2.7')).toBe('refused');
    expect(await decide(guardOf(DEFAULT_DENIED_CIDRS, ['192.0.2.0/24', '64:ff9b::/96']), '64:ff9b::192.0.2.7')).toBe(
      '64:ff9b::c000:207',
    );
    expect(await decide(guard, '192.0.3.1')).toBe('refused');
  });

  it('takes a host that is neither an address nor a name for one that does not resolve, asking no DNS', async () => {
    for (const host of ['host:22', '[127.0.0.1]', '127.0.0.1%lo', '::1%', 'fe80::1%a%b', '[::1', '::g']) {
      await expect(guardOf(LOOPBACK).resolve(host), host).rejects.toMatchObject({ code: 'ENOTFOUND' });
    }
  });
});

describe('the network guard and DNS', () => {
  /** A resolver that gives each answer in turn (the last one again after), counting the lookups. */
  const answering = (...answers: string[][]) => {
    const resolver = {
      calls: 0,
      lookup: async () => answers[Math.min(resolver.calls++, answers.length - 1)] ?? [],
    };
    return resolver;
  };

  it('checks every address a name resolves to, in the spelling DNS gives it', async () => {
    for (const answer of [['::'], ['0.0.0.0'], ['::ffff:127.0.0.1'], ['2001:db8::1', '::1'], ['64:ff9b::7f00:1']]) {
      const guard = guardOf(LOOPBACK, [], answering(answer).lookup);
      expect(await decide(guard, 'db.example'), answer.join()).toBe('refused');
    }
    await expect(guardOf(LOOPBACK, [], answering([]).lookup).resolve('db.example')).rejects.toThrow(
      'resolves to no address',
    );
    await expect(guardOf(LOOPBACK, [], answering(['not-an-ip']).lookup).resolve('db.example')).rejects.toThrow(
      'no IP address',
    );
  });

  it('connects to the address it checked: a name is looked up once, whatever DNS answers next', async () => {
    const listeners = await startLoopbackListeners();
    // The guard's lookup answers ::1 (allowed) first and 127.0.0.1 (denied) after; the system's
    // resolver answers 127.0.0.1 for localhost. A second lookup of either kind reaches 127.0.0.1.
    const resolver = answering(['::1'], ['127.0.0.1']);
    const network = openNetwork(guardOf(['127.0.0.0/8'], [], resolver.lookup), undefined, 1_000);
    try {
      const stream = await network.connect('localhost', listeners.port);
      await new Promise((resolve) => stream.once('close', resolve));
      expect(resolver.calls).toBe(1);
      expect(listeners.received).toEqual({ '127.0.0.1': 0, '::1': 1 });
    } finally {
      network.close();
      await listeners.close();
    }
  });
});

describe('the spellings this machine routes to itself, against loopback listeners', () => {
  /** Each reaches 127.0.0.1 or ::1 when allowed: the control below proves it. */
  const ROUTED_HERE = [
    '::',
    '[::]',
    '0:0:0:0:0:0:0:0',
    '::ffff:127.0.0.1',
    '::FFFF:7F00:0001',
    '::ffff:0.0.0.0',
    '0.0.0.0',
    '127.1',
    '0x7f000001',
    '0x7f.1',
    '2130706433',
    '0177.0.0.01',
    '127.0.0.1.',
    '0000::0001',
    '::1%lo',
    'localhost',
  ];
  let listeners: LoopbackListeners;
  beforeAll(async () => {
    listeners = await startLoopbackListeners();
  });
  afterAll(async () => {
    await listeners?.close();
  });

  const connectThrough = async (denied: string[], host: string) => {
    const network = openNetwork(networkGuard({ denied, allowed: [] }), undefined, 1_000);
    try {
      const stream = await network.connect(host, listeners.port);
      await new Promise((resolve) => stream.once('close', resolve));
    } finally {
      network.close();
    }
  };

  it.each(ROUTED_HERE)('%s reaches this machine when loopback is allowed (the control)', async (host) => {
    const before = listeners.total();
    await connectThrough(['192.0.2.0/24'], host);
    expect(listeners.total()).toBe(before + 1);
  });

  it.each(ROUTED_HERE)('%s is refused, and reaches nothing, when loopback is denied', async (host) => {
    const before = listeners.total();
    await expect(connectThrough(LOOPBACK, host)).rejects.toBeInstanceOf(TargetNotAllowedError);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(listeners.total()).toBe(before);
  });
});

describe('the default deny-list, stated once', () => {
  it('is the setting’s default, valid as a setting', () => {
    expect(loadConfig({}).CONNECTION_TEST_DENIED_CIDRS).toEqual(DEFAULT_DENIED_CIDRS);
    expect(
      loadConfig({ CONNECTION_TEST_DENIED_CIDRS: DEFAULT_DENIED_CIDRS.join(',') }).CONNECTION_TEST_DENIED_CIDRS,
    ).toEqual(DEFAULT_DENIED_CIDRS);
    expect(DEFAULT_DENIED_CIDRS).toContain('::/128');
  });

  it('is the table of docs/security.md, with the reason for each range', () => {
    const page = readFileSync(new URL('../docs/security.md', import.meta.url), 'utf8');
    const section = page.slice(
      page.indexOf('## The network guard'),
      page.indexOf('\n## ', page.indexOf('## The network guard') + 1),
    );
    const rows = [...section.matchAll(/^\| `([^`]+)` \| (.+) \|$/gm)].map(([, cidr, why]) => ({ cidr, why }));
    expect(rows).toEqual(DEFAULT_DENIED_RANGES.map(({ cidr, why }) => ({ cidr, why })));
  });
});
