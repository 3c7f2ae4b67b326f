/**
 * The server side: `listen` over TCP, TLS or a Unix socket, with a connection limit and a
 * graceful close.
 *
 * @module
 */

import net from 'node:net';
import tls from 'node:tls';
import { SocketConnection, type Connection } from './connection.js';
import { formatEndpoint, formatHostPort, tcpEndpoint, unixEndpoint, type Endpoint } from './endpoint.js';
import { ConnectionResetError, ServerClosedError, TlsHandshakeError, toTransportError } from './errors.js';
import { resolveGraceMs, resolveListenOptions, tlsContext, type CloseOptions, type ListenConfig, type ListenOptions } from './options.js';

/** Called once per accepted connection; may be async. Its errors are caught (see `onError`). */
export type ConnectionHandler = (connection: Connection) => void | Promise<void>;

/** A listening server. */
export interface Server {
  /** The bound address; with `port: 0`, `address.port` is the port the system picked. */
  readonly address: Endpoint;
  /** Connections open now (TLS: after the handshake). */
  readonly connections: number;
  /** Connections closed at once because `maxConnections` were already open. */
  readonly refusedConnections: number;
  /**
   * Aborted when `close()` starts, so handlers can wind down (stop sending, end their
   * connection) within the grace period.
   */
  readonly signal: AbortSignal;
  /**
   * Stops accepting at once, lets open connections finish for `graceMs`, then destroys the
   * rest with a `ServerClosedError`. Resolves when every connection is closed (and a Unix
   * socket file removed). Calling it again returns the same promise.
   */
  close(options?: CloseOptions): Promise<void>;
}

/**
 * Listens on `host:port` (TCP; `port: 0` picks a free port) or on the Unix socket `path`,
 * optionally with TLS, and calls `handler` with each connection, concurrently. Binds to
 * `127.0.0.1` unless told otherwise.
 *
 * The connection stays open after the handler returns: end or close it (for example
 * `await conn.end()` after the read loop). If the handler throws or rejects, the
 * connection is closed with that error (unless the handler had closed it already) and
 * `onError` is told; the server goes on.
 *
 * Rejects with `AddressInUseError` if the address is taken (or the socket path exists),
 * `TypeError`/`RangeError` for bad options.
 *
 * @example
 * ```ts
 * const server = await listen({ port: 0 }, async (conn) => {
 *   for await (const chunk of conn) await conn.write(chunk);
 *   await conn.end();
 * });
 * console.log(server.address); // { family: 'IPv4', host: '127.0.0.1', port: 40217 }
 * ```
 */
export async function listen(options: ListenOptions, handler: ConnectionHandler): Promise<Server> {
  if (typeof handler !== 'function') throw new TypeError(`handler must be a function (got ${typeof handler})`);
  const config = resolveListenOptions(options);
  const bindAddress = config.path ?? formatHostPort(config.host, config.port);
  const server = createNodeServer(config);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    const target = config.path === undefined ? { host: config.host, port: config.port } : { path: config.path };
    server.listen({ ...target, backlog: config.backlog }, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((error: unknown) => {
    // No `path` here: ENOENT on listen means a missing directory, not a missing socket.
    // `host` alone names a host that does not resolve (not `host:port`).
    throw toTransportError(error, { address: bindAddress, host: config.path === undefined ? config.host : undefined });
  });
  return new TransportServer(server, config, handler);
}

/** The longest delay Node's timers take, in ms (2^31 - 1: 24.8 days). */
const LONGEST_TIMER = 2_147_483_647;

function createNodeServer(config: ListenConfig): net.Server {
  if (config.tls === undefined) {
    // Accepted sockets start paused: nothing is read until the handler asks.
    return net.createServer({ allowHalfOpen: true, pauseOnConnect: true });
  }
  const { cert, key, ca, requestCert, rejectUnauthorized, handshakeTimeout } = config.tls;
  // PEM that OpenSSL refuses: a TypeError naming the option, not OpenSSL's error.
  tlsContext(config.tls);
  return tls.createServer({
    // Not half-open during the handshake: a client that gives up (a certificate it rejects)
    // must close the socket, not leave it waiting. Half-open from 'secureConnection' on.
    allowHalfOpen: false,
    // Node reads 0 as "its default of 120 s": give it its longest timer instead (24.8 days).
    handshakeTimeout: handshakeTimeout === 0 ? LONGEST_TIMER : handshakeTimeout,
    cert: cert as tls.TlsOptions['cert'],
    key: key as tls.TlsOptions['key'],
    ...(ca === undefined ? {} : { ca: ca as tls.TlsOptions['ca'] }),
    requestCert: requestCert ?? false,
    rejectUnauthorized: rejectUnauthorized ?? true,
  });
}

function defaultOnError(error: Error, connection: Connection | undefined): void {
  const where = connection === undefined ? '' : ` (${connection.remoteAddress})`;
  console.error(`framewire transport${where}: ${error.message}`);
}

class TransportServer implements Server {
  readonly address: Endpoint;
  readonly #server: net.Server;
  readonly #config: ListenConfig;
  readonly #handler: ConnectionHandler;
  readonly #abort = new AbortController();
  readonly #connections = new Set<Connection>();
  // Every accepted socket (for TLS, also those still in the handshake), to destroy at the end.
  readonly #sockets = new Set<net.Socket>();
  #refused = 0;
  #closing: Promise<void> | undefined;

  constructor(server: net.Server, config: ListenConfig, handler: ConnectionHandler) {
    this.#server = server;
    this.#config = config;
    this.#handler = handler;
    this.address = boundEndpoint(server, config);
    if (config.maxConnections !== Infinity) server.maxConnections = config.maxConnections;
    server.on('drop', () => {
      this.#refused += 1;
    });
    server.on('error', (error) => {
      this.#report(toTransportError(error, { address: formatEndpoint(this.address) }), undefined);
    });
    server.on('connection', (socket: net.Socket) => {
      // Errors of a socket nobody else listens to yet (TLS handshake, a reset) must not go uncaught.
      socket.on('error', noop);
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
    if (config.tls === undefined) {
      server.on('connection', (socket: net.Socket) => {
        this.#accept(socket, config.path === undefined ? socket : undefined, undefined);
      });
    } else {
      // A failed handshake is reported with the client's address, read while it is connected.
      const peers = new WeakMap<net.Socket, string>();
      server.on('connection', (socket: net.Socket) => {
        const peer = tcpEndpoint(socket.remoteFamily, socket.remoteAddress, socket.remotePort);
        if (peer !== undefined) peers.set(socket, formatEndpoint(peer));
      });
      server.on('secureConnection', (socket: tls.TLSSocket) => {
        socket.allowHalfOpen = true;
        const under = socketUnder(socket);
        this.#accept(socket, config.path === undefined ? under : undefined, under);
      });
      server.on('tlsClientError', (error: Error, socket: tls.TLSSocket) => {
        // Node leaves the socket under TLS open after a failed handshake (or its timeout),
        // counted against maxConnections: close both, or every failure holds a slot for good.
        const under = socketUnder(socket);
        socket.destroy();
        under?.destroy();
        const address = (under === undefined ? undefined : peers.get(under)) ?? 'a client';
        const failure = toTransportError(error, { address });
        // A reset or hang-up here is the client giving up on the handshake: say so.
        this.#report(
          failure instanceof ConnectionResetError ? new TlsHandshakeError(address, 'the client closed the connection', { cause: error }) : failure,
          undefined,
        );
      });
    }
  }

  get connections(): number {
    return this.#connections.size;
  }

  get refusedConnections(): number {
    return this.#refused;
  }

  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  close(options?: CloseOptions): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    let graceMs: number;
    try {
      graceMs = resolveGraceMs(options);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    this.#abort.abort();
    // Resolves once the listening socket is closed and every accepted socket with it.
    const serverClosed = new Promise<void>((resolve) => {
      this.#server.close(() => {
        resolve();
      });
    });
    const destroyAll = (): void => {
      for (const connection of this.#connections) connection.close(new ServerClosedError(graceMs));
      for (const socket of this.#sockets) socket.destroy();
    };
    let timer: NodeJS.Timeout | undefined;
    if (graceMs === 0) destroyAll();
    else if (graceMs !== Infinity) timer = setTimeout(destroyAll, graceMs);
    this.#closing = serverClosed
      .then(() => Promise.allSettled([...this.#connections].map((connection) => connection.closed)))
      .then(() => {
        clearTimeout(timer);
      });
    return this.#closing;
  }

  /**
   * Serves an accepted socket. `tcp` is the TCP socket to probe (see `ConnectionInit.probe`);
   * `under`, over TLS, the TCP or Unix socket under the TLS layer (`ConnectionInit.under`).
   */
  #accept(socket: net.Socket, tcp: net.Socket | undefined, under: net.Socket | undefined): void {
    const config = this.#config;
    const local = config.path === undefined ? tcpEndpoint(socket.localFamily, socket.localAddress, socket.localPort) : unixEndpoint(config.path);
    const remote = config.path === undefined ? tcpEndpoint(socket.remoteFamily, socket.remoteAddress, socket.remotePort) : unixEndpoint('');
    if (local === undefined || remote === undefined) {
      // The peer is already gone (reset between accept and now).
      socket.destroy();
      return;
    }
    const connection = new SocketConnection(socket, config, { local, remote, probe: tcp, under });
    this.#connections.add(connection);
    const forget = (): void => {
      this.#connections.delete(connection);
    };
    connection.closed.then(forget, forget);
    try {
      const result: unknown = this.#handler(connection);
      if (isThenable(result)) {
        Promise.resolve(result).catch((error: unknown) => {
          this.#handlerFailed(error, connection);
        });
      }
    } catch (error) {
      this.#handlerFailed(error, connection);
    }
  }

  #handlerFailed(error: unknown, connection: Connection): void {
    const failure = error instanceof Error ? error : new Error(String(error));
    connection.close(failure);
    this.#report(failure, connection);
  }

  #report(error: Error, connection: Connection | undefined): void {
    try {
      (this.#config.onError ?? defaultOnError)(error, connection);
    } catch {
      // A failing error hook must not take the server down.
    }
  }
}

const noop = (): void => undefined;

/** The TCP or Unix socket under a server-side TLS socket (Node keeps it as `_parent`). */
function socketUnder(socket: tls.TLSSocket): net.Socket | undefined {
  const parent = (socket as { _parent?: unknown })._parent;
  return parent instanceof net.Socket ? parent : undefined;
}
function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function boundEndpoint(server: net.Server, config: ListenConfig): Endpoint {
  const address = server.address();
  if (address === null || typeof address === 'string') return unixEndpoint(address ?? config.path ?? '');
  return tcpEndpoint(address.family, address.address, address.port) ?? unixEndpoint('');
}
