/**
 * Where node-oracledb's Thin mode may open a socket. It opens its own: to the address of the
 * connect descriptor the driver writes (a loopback forward or proxy of the connection's network),
 * and again to whatever address a listener's REDIRECT names (a RAC SCAN listener sends each client
 * on to a node's listener, a shared server to a dispatcher), past any network guard. So every
 * socket it opens is held here: one the driver prepared goes ahead once, and a redirect goes
 * through the connection's network, the guard (or the bastion) judging its address as any other.
 * oracledb offers no hook for this; its transport's connect is wrapped, once, and fails closed
 * outside a connection's network.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';
import type { Network } from '../network.ts';
import { TargetNotAllowedError } from '../network-guard.ts';

/** What oracledb's transport is asked to reach: an address, and the HTTPS proxy to reach it through. */
interface TransportAddress {
  protocol: string;
  host: string;
  port: number | string;
  httpsProxy?: string;
  httpsProxyPort?: number | string;
}

interface Transport {
  /** The session's attributes: a proxy named by the descriptor's DESCRIPTION, or a redirect's. */
  atts: { httpsProxy?: string; httpsProxyPort?: number | string };
}

/** The network of the connection oracledb is opening, and the loopback port of its descriptor, until it is used. */
interface OracleRoute {
  network: Network;
  prepared?: number;
}

const routes = new AsyncLocalStorage<OracleRoute>();

/** Reaches `address` through the route: a port prepared for it, or a redirect sent through the network. */
async function routed(route: OracleRoute, address: TransportAddress, transport: Transport): Promise<void> {
  const proxy = address.httpsProxy || transport.atts.httpsProxy;
  const proxyPort = Number(address.httpsProxyPort || transport.atts.httpsProxyPort);
  const [host, port] = proxy ? [proxy, proxyPort] : [address.host, Number(address.port)];
  if (host === '127.0.0.1' && port === route.prepared) {
    route.prepared = undefined;
    return;
  }
  if (proxy) {
    throw new TargetNotAllowedError(
      `The Oracle listener redirected the connection through a proxy of its own (${proxy}), which is not allowed here.`,
    );
  }
  if (address.protocol.toUpperCase() === 'TCPS') {
    // Through a CONNECT proxy to the named address: TLS still checks the name the redirect gave.
    address.httpsProxy = '127.0.0.1';
    address.httpsProxyPort = await route.network.proxy(address.host, Number(address.port));
  } else {
    address.port = await route.network.forward(address.host, Number(address.port));
    address.host = '127.0.0.1';
  }
}

let wrapped = false;

/** Wraps the connect of oracledb's transport, once: each socket it opens goes through routed(). */
function holdTransport(): void {
  if (wrapped) return;
  const transport = createRequire(import.meta.url)('oracledb/lib/thin/sqlnet/ntTcp.js') as {
    prototype: { ntConnect?: (this: Transport, address: TransportAddress) => Promise<void> };
  };
  const connect = transport.prototype.ntConnect;
  if (typeof connect !== 'function') throw new Error("oracledb's transport has no ntConnect to hold");
  transport.prototype.ntConnect = async function (this: Transport, address: TransportAddress) {
    const route = routes.getStore();
    if (!route) throw new TargetNotAllowedError('oracledb opened a connection outside a connection of this service');
    await routed(route, address, this);
    return connect.call(this, address);
  };
  wrapped = true;
}

/**
 * Runs `open` (oracledb's getConnection) with its sockets held to `network`: `prepared`, the
 * loopback port of the descriptor, is reached once; any other address goes through the network.
 */
export function withOracleNetwork<T>(network: Network, prepared: number, open: () => Promise<T>): Promise<T> {
  holdTransport();
  return routes.run({ network, prepared }, open);
}
