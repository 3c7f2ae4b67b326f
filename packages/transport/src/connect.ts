/**
 * The client side: `connect` over TCP, TLS or a Unix socket.
 *
 * @module
 */

import net from 'node:net';
import tls from 'node:tls';
import { ReadPort, SocketConnection, type Connection } from './connection.js';
import { formatHostPort, tcpEndpoint, unixEndpoint, type Endpoint } from './endpoint.js';
import {
  AbortedError,
  ConnectionClosedError,
  ConnectTimeoutError,
  toTransportError,
  type ErrorContext,
} from './errors.js';
import { resolveConnectOptions, tlsContext, type ConnectConfig, type ConnectOptions } from './options.js';

const noop = (): void => undefined;

/**
 * Opens a connection to `host:port` (TCP, IPv4 or IPv6) or to the Unix socket at `path`,
 * optionally over TLS (certificate verified unless `tls.rejectUnauthorized` is `false`).
 * Resolves once the connection (and the TLS handshake) is up.
 *
 * Rejects with a {@link TransportError}: `ConnectionRefusedError` (`connection refused by
 * 127.0.0.1:1234`), `ConnectTimeoutError`, `SocketNotFoundError`, `HostNotFoundError`,
 * `TlsCertificateError`, `TlsHandshakeError`, `ConnectionResetError` (the server dropped the
 * connection during the TLS handshake), `AbortedError`, `SocketError` for anything else; or
 * with a `TypeError` / `RangeError` for bad options (PEM that OpenSSL cannot use included,
 * refused before any socket is opened).
 *
 * @example
 * ```ts
 * const conn = await connect({ port: 1234 });
 * await conn.write(new TextEncoder().encode('hello'));
 * for await (const chunk of conn) console.log(chunk);
 * ```
 */
export async function connect(options: ConnectOptions): Promise<Connection> {
  const config = resolveConnectOptions(options);
  const address = config.path ?? formatHostPort(config.host, config.port);
  const context: ErrorContext = { address, host: config.host, path: config.path };
  const signal = config.signal;
  if (signal?.aborted === true) throw new AbortedError(address, { cause: signal.reason });

  // Node reads into memory of the caller's (`onread`) on plain sockets only; over TLS the
  // connection cuts the decrypted chunks to `recvSize` instead. Without the options that
  // choose the memory, reading through `onread` is what lets the reads be switched later
  // (`Connection[READ_INTO]`).
  const port = config.tls === false ? new ReadPort() : undefined;
  const { socket, raw } = openSocket(config, port);
  const ready = config.tls === false ? 'connect' : 'secureConnect';

  return new Promise<Connection>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const cleanup = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.off('error', fail);
      socket.off('close', onClose);
      socket.off(ready, onReady);
    };
    const fail = (error: unknown): void => {
      cleanup();
      // Late errors from a socket being torn down must not become uncaught 'error' events.
      socket.on('error', noop);
      socket.destroy();
      raw.destroy();
      reject(toTransportError(error, context));
    };
    const onAbort = (): void => {
      fail(new AbortedError(address, { cause: signal?.reason }));
    };
    const onClose = (): void => {
      fail(new ConnectionClosedError(`connection to ${address} closed while connecting`));
    };
    const onReady = (): void => {
      cleanup();
      resolve(
        new SocketConnection(socket, config, {
          local: localEndpoint(socket, config),
          remote: remoteEndpoint(socket, config),
          port,
          probe: config.path === undefined ? raw : undefined,
          under: config.tls === false ? undefined : raw,
          context,
        }),
      );
    };
    socket.once('error', fail);
    socket.once('close', onClose);
    socket.once(ready, onReady);
    if (config.connectTimeout > 0) {
      timer = setTimeout(() => {
        fail(new ConnectTimeoutError(address, config.connectTimeout));
      }, config.connectTimeout);
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The socket to talk through and the TCP or Unix socket under it (the same one without TLS).
 * The connection probes a TCP one to tell a reset from an end, and over TLS reads its write
 * queue (see `ConnectionInit`).
 */
function openSocket(config: ConnectConfig, port: ReadPort | undefined): { socket: net.Socket; raw: net.Socket } {
  const target = config.path === undefined ? { host: config.host, port: config.port } : { path: config.path };
  if (config.tls === false) {
    const onread = port?.onread(config);
    const socket = net.connect({ ...target, allowHalfOpen: true, ...(onread === undefined ? {} : { onread }) });
    return { socket, raw: socket };
  }
  // Built before any socket is opened: PEM that OpenSSL refuses throws a TypeError here
  // (from tls.connect it would leave the socket under TLS open).
  const secureContext = tlsContext(config.tls);
  // TLS runs over a socket of our own, so the socket under it stays reachable for the probe
  // (a zero-byte write through TLS never reaches the kernel) and for its write queue.
  const raw = net.connect({ ...target, allowHalfOpen: true });
  raw.on('error', noop); // reported through the TLS socket
  const { rejectUnauthorized } = config.tls;
  // SNI carries names only; an IP address is checked against the certificate's IP entries.
  const servername = config.tls.servername ?? (config.path !== undefined || net.isIP(config.host) !== 0 ? undefined : config.host);
  // `allowHalfOpen` is honoured by tls.connect (it passes it to the TLSSocket) but missing from its types.
  // `host` stays in the options beside `socket`: the certificate is checked against it.
  const options: tls.ConnectionOptions & { allowHalfOpen: boolean } = {
    ...target,
    socket: raw,
    allowHalfOpen: true,
    secureContext,
    ...(servername === undefined ? {} : { servername }),
    rejectUnauthorized: rejectUnauthorized ?? true,
  };
  return { socket: tls.connect(options), raw };
}

function localEndpoint(socket: net.Socket, config: ConnectConfig): Endpoint {
  if (config.path !== undefined) return unixEndpoint('');
  // A connected socket always has its address; the fallback only covers a socket already torn down.
  return (
    tcpEndpoint(socket.localFamily, socket.localAddress, socket.localPort) ??
    Object.freeze({ family: net.isIPv6(config.host) ? 'IPv6' : 'IPv4', host: '', port: 0 })
  );
}

function remoteEndpoint(socket: net.Socket, config: ConnectConfig): Endpoint {
  if (config.path !== undefined) return unixEndpoint(config.path);
  return (
    tcpEndpoint(socket.remoteFamily, socket.remoteAddress, socket.remotePort) ??
    Object.freeze({ family: net.isIPv6(config.host) ? 'IPv6' : 'IPv4', host: config.host, port: config.port })
  );
}
