/**
 * The options of `connect` and `listen`, and their validation into frozen configs. Misuse
 * throws a `TypeError` or `RangeError` naming the option, the value and what was expected.
 *
 * @module
 */

import { X509Certificate } from 'node:crypto';
import { createSecureContext, type SecureContext, type SecureContextOptions } from 'node:tls';
import type { Connection } from './connection.js';

/** PEM text or bytes, or a list of them (as `node:tls` accepts). */
export type Pem = string | Uint8Array | readonly (string | Uint8Array)[];

/** Options of one connection, on either side. */
export interface SocketOptions {
  /**
   * Fixed size of the receive buffer, in bytes: every chunk the connection yields holds at
   * most this many bytes, like `recv(recvSize)` in C or Python. On a plain TCP or Unix
   * `connect` the socket reads straight into a buffer of this size (Node's `onread`), so a
   * chunk is what one read returned; on `listen` and over TLS (where Node has no such buffer
   * for the decrypted bytes) larger reads are split into views of `recvSize` bytes. Applies to receiving. Defaults to
   * `undefined`: reads of up to 64 KiB (a plain client's through Node's `onread`, into memory
   * of the connection's own, see `Connection[READ_INTO]`; Node's own elsewhere).
   */
  recvSize?: number | undefined;
  /**
   * Disable Nagle's algorithm (`TCP_NODELAY`), so a small frame goes out at once instead of
   * waiting to be merged with the next. Applies to sending. Defaults to `true`.
   */
  noDelay?: boolean | undefined;
  /**
   * TCP keep-alive probes: `false` for none, `true` for the system's delay, or the delay
   * in milliseconds before the first probe on an idle connection. Defaults to `false`.
   */
  keepAlive?: boolean | number | undefined;
  /**
   * Close the connection with an `IdleTimeoutError` after this many milliseconds without
   * a byte read from or written to the socket (a paused reader reads nothing, so it counts
   * as idle). A long write counts as activity while the kernel keeps taking its bytes (the
   * socket's write queue has shrunk since the timeout last ran out), over TLS as over TCP.
   * Applies to both directions. Defaults to `0`: no idle timeout.
   */
  idleTimeout?: number | undefined;
}

/** TLS settings of a client: a subset of `tls.ConnectionOptions`. */
export interface TlsClientOptions {
  /** Trusted CA certificates, replacing Node's bundled list. Defaults to Node's list. */
  ca?: Pem | undefined;
  /** Client certificate chain, for servers that ask for one. Defaults to none. */
  cert?: Pem | undefined;
  /** Private key of `cert`. Defaults to none. */
  key?: Pem | undefined;
  /**
   * Server name for SNI and for checking the certificate. Defaults to `host` when it is a
   * name (an IP address is checked against the certificate's IP entries).
   */
  servername?: string | undefined;
  /**
   * Verify the server's certificate and refuse the connection if it fails.
   * **Security:** `false` accepts any certificate, so anyone on the path can read and
   * change the traffic. Defaults to `true`.
   */
  rejectUnauthorized?: boolean | undefined;
}

/** Options of {@link connect}. Give `port` (TCP) or `path` (Unix socket). */
export interface ConnectOptions extends SocketOptions {
  /** Host to connect to: an IP address or a name. Defaults to `'127.0.0.1'`. */
  host?: string | undefined;
  /** TCP port, 1–65535. Required unless `path` is given. */
  port?: number | undefined;
  /** Path of a Unix domain socket, instead of `host`/`port`. Defaults to none. */
  path?: string | undefined;
  /**
   * Speak TLS: `true` for the defaults (Node's CA list, certificate verified), or settings.
   * Defaults to `false`.
   */
  tls?: boolean | TlsClientOptions | undefined;
  /**
   * Give up with a `ConnectTimeoutError` if the connection (including the TLS handshake)
   * is not up after this many milliseconds; `0` waits as long as the system does.
   * Defaults to `10_000`.
   */
  connectTimeout?: number | undefined;
  /** Aborts the connection attempt (not an established connection). Defaults to none. */
  signal?: AbortSignal | undefined;
  /**
   * Read into blocks of memory of this many bytes, each read landing right after the one
   * before (Node's `onread`), so that chunks follow each other in memory and a `ChunkBuffer`
   * returns a frame that spans reads as a view, with no copy. A new block starts when less
   * room is left than one read needs (64 KiB, or `recvSize`). Each chunk is a view of its
   * block: a chunk or frame you keep keeps its whole block alive, and each connection holds
   * one block while it reads. Worth it for streams of large frames (1 MiB is a good size).
   * Plain TCP and Unix sockets only: with `tls` it throws a `TypeError`. Defaults to
   * `undefined`: each chunk in memory of its own.
   */
  recvArena?: number | undefined;
  /**
   * Reuse the `recvArena` block round and round instead of starting new ones, for a reader
   * that holds on to little: the function returns how many of the last bytes it was given it
   * still holds — a borrowed `Deframer`'s `bufferedBytes` (`() => deframer.bufferedBytes`) or
   * a `ChunkBuffer`'s `length`. Reading goes back to the start of the block when those bytes
   * (and the chunks not yet taken from the connection) are not in the way, and otherwise
   * starts a new block, so a large frame is never overwritten while it is being gathered.
   * Chunks are then **borrowed**: their bytes are reused once you no longer count them, so
   * keep nothing beyond what the function reports (copy it). Reads are at most 64 KiB (or
   * `recvSize`). A function that throws or returns anything but a non-negative number counts
   * as holding everything (a new block each time the block is full). Needs `recvArena`: a
   * `TypeError` otherwise. Defaults to `undefined`: each block used once.
   */
  reuseArena?: (() => number) | undefined;
  /**
   * Memory for each read, chosen by you read by read: before each read Node asks
   * `next()` for the memory it fills (from its start, at most its length); after it,
   * `filled(bytesRead)` tells you how much it filled, and the chunk is a view of that memory.
   * Both are called synchronously from the read, before the reader sees the chunk. For
   * `frameReads(strategy)` of `@framewire/header`, which reads each large frame into memory of
   * its own so that a `Deframer` returns it with no copy. A `next()` or `filled()` that throws,
   * or a `next()` that returns anything but a non-empty `Uint8Array`, closes the connection with
   * that error (a `TypeError` for a bad value), after the chunks read before it. Plain TCP and
   * Unix sockets only, and not with `recvSize` or `recvArena`: a `TypeError` otherwise.
   * Defaults to `undefined` (memory of the connection's own; `Connection[READ_INTO]` can still
   * switch the reads after `connect`, as `decodeFramesAsync` does).
   */
  recvInto?: RecvMemory | undefined;
}

/** What {@link ConnectOptions.recvInto} takes. */
export interface RecvMemory {
  /**
   * The memory the next read fills from its start: at most its length, at least 1 byte. Node
   * may ask again with no read in between (when a connection attempt starts, and before a read
   * that finds the end of the stream or an error): hand out memory each time.
   */
  next(): Uint8Array;
  /**
   * The read into the memory `next()` last returned filled its first `bytesRead` bytes (at
   * least 1): called once after each read that brought bytes.
   */
  filled(bytesRead: number): void;
}

/** TLS settings of a server. */
export interface TlsServerOptions {
  /** Server certificate chain (PEM). Required. */
  cert: Pem;
  /** Private key of `cert` (PEM). Required. */
  key: Pem;
  /** CAs trusted to sign client certificates (with `requestCert`). Defaults to Node's list. */
  ca?: Pem | undefined;
  /** Ask clients for a certificate. Defaults to `false`. */
  requestCert?: boolean | undefined;
  /**
   * With `requestCert`, refuse clients whose certificate is missing or fails verification.
   * Defaults to `true`.
   */
  rejectUnauthorized?: boolean | undefined;
  /**
   * Close a client whose TLS handshake has not completed after this many milliseconds (one
   * that connects and never sends its ClientHello, say), reporting a `TlsHandshakeError`.
   * `0` turns it off (Node, which takes 0 for its 120 s default, is given its longest timer:
   * 24.8 days). Defaults to the listen's `idleTimeout` when that is set, else `120000`
   * (Node's default).
   */
  handshakeTimeout?: number | undefined;
}

/** Options of {@link listen}. Give `port` (TCP; `0` picks a free one) or `path` (Unix socket). */
export interface ListenOptions extends SocketOptions {
  /**
   * Address to bind. **Security:** `'0.0.0.0'` or `'::'` expose the server to the
   * network; only pass them on purpose. Defaults to `'127.0.0.1'`.
   */
  host?: string | undefined;
  /** TCP port, 0–65535; `0` lets the system pick a free port (see `Server.address`). Defaults to `0`. */
  port?: number | undefined;
  /** Path of a Unix domain socket to create, instead of `host`/`port`. Defaults to none. */
  path?: string | undefined;
  /** Serve TLS with this certificate. Defaults to none (plain TCP). */
  tls?: TlsServerOptions | undefined;
  /**
   * Most connections open at once; further ones are closed as soon as they are accepted,
   * and counted in `Server.refusedConnections`. Defaults to `Infinity` (no limit at this
   * layer; the CLI sets one).
   */
  maxConnections?: number | undefined;
  /** Length of the kernel's queue of not-yet-accepted connections. Defaults to `511`. */
  backlog?: number | undefined;
  /**
   * Called when a handler throws or rejects (the connection is then closed with that
   * error, unless the handler had closed it already), when a TLS handshake fails, or when
   * accepting fails. Never throws into the server. Defaults to one line on stderr
   * (`console.error`).
   */
  onError?: ((error: Error, connection: Connection | undefined) => void) | undefined;
}

/** Options of `Server.close`. */
export interface CloseOptions {
  /**
   * Milliseconds open connections get to finish after the server stops accepting; then
   * they are destroyed with a `ServerClosedError`. `Infinity` waits for them. Defaults to
   * `5_000`.
   */
  graceMs?: number | undefined;
}

/** Validated per-connection settings. */
export interface SocketConfig {
  readonly recvSize: number | undefined;
  readonly noDelay: boolean;
  readonly keepAlive: false | number;
  readonly idleTimeout: number;
}

export interface ConnectConfig extends SocketConfig {
  readonly host: string;
  readonly port: number;
  readonly path: string | undefined;
  readonly tls: false | Readonly<TlsClientOptions>;
  readonly connectTimeout: number;
  readonly signal: AbortSignal | undefined;
  readonly recvArena: number | undefined;
  readonly reuseArena: (() => number) | undefined;
  readonly recvInto: RecvMemory | undefined;
}

export interface ListenConfig extends SocketConfig {
  readonly host: string;
  readonly port: number;
  readonly path: string | undefined;
  readonly tls: Readonly<TlsServerOptions & { handshakeTimeout: number }> | undefined;
  readonly maxConnections: number;
  readonly backlog: number;
  readonly onError: ((error: Error, connection: Connection | undefined) => void) | undefined;
}

/** Node's timers take at most 2^31 - 1 ms. */
const MAX_TIMEOUT = 2_147_483_647;
const MAX_RECV_SIZE = 64 * 1024 * 1024;
const MIN_RECV_ARENA = 1024;
const MAX_RECV_ARENA = 1024 * 1024 * 1024;
/** Node's own TLS handshake timeout. */
const DEFAULT_HANDSHAKE_TIMEOUT = 120_000;

export function resolveConnectOptions(options: ConnectOptions): ConnectConfig {
  checkObject(options, 'connect options');
  const path = optionalString(options.path, 'path');
  if (path !== undefined && options.port !== undefined) {
    throw new TypeError(`give either port or path, not both (got port ${String(options.port)} and path ${path})`);
  }
  if (path === undefined && options.port === undefined) {
    throw new TypeError('port is required (or path, for a Unix socket)');
  }
  const port = path === undefined ? integer(options.port, 'port', 1, 65_535) : 0;
  const signal = options.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError(`signal must be an AbortSignal (got ${describe(signal)})`);
  }
  const socket = resolveSocketOptions(options);
  const tls = resolveTlsClient(options.tls);
  return Object.freeze({
    ...socket,
    host: optionalString(options.host, 'host') ?? '127.0.0.1',
    port,
    path,
    tls,
    connectTimeout: timeout(options.connectTimeout, 'connectTimeout', 10_000),
    signal,
    recvArena: resolveRecvArena(options.recvArena, socket.recvSize, tls !== false),
    reuseArena: resolveReuseArena(options.reuseArena, options.recvArena),
    recvInto: resolveRecvInto(options.recvInto, socket.recvSize, options.recvArena, tls !== false),
  });
}

/** Whether `value` has the shape of {@link RecvMemory}: `next()` and `filled()` methods. */
export function isRecvMemory(value: unknown): value is RecvMemory {
  const memory = (typeof value === 'object' ? value : null) as Partial<RecvMemory> | null;
  return memory !== null && typeof memory.next === 'function' && typeof memory.filled === 'function';
}

function resolveRecvInto(value: unknown, recvSize: number | undefined, recvArena: unknown, tls: boolean): RecvMemory | undefined {
  if (value === undefined) return undefined;
  if (!isRecvMemory(value)) {
    throw new TypeError(`recvInto must be an object with next() and filled(bytesRead) methods (got ${describe(value)})`);
  }
  if (tls) throw new TypeError('recvInto cannot be used with tls: Node decrypts into memory of its own');
  if (recvSize !== undefined) throw new TypeError('recvInto cannot be used with recvSize: the memory it gives sets the read size');
  if (recvArena !== undefined) throw new TypeError('recvInto cannot be used with recvArena: give one or the other');
  return value;
}

function resolveReuseArena(value: unknown, recvArena: unknown): (() => number) | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') {
    throw new TypeError(`reuseArena must be a function returning the bytes you hold (got ${describe(value)})`);
  }
  if (recvArena === undefined) throw new TypeError('reuseArena needs recvArena: it reuses that block');
  return value as () => number;
}

function resolveRecvArena(value: unknown, recvSize: number | undefined, tls: boolean): number | undefined {
  if (value === undefined) return undefined;
  const arena = integer(value, 'recvArena', MIN_RECV_ARENA, MAX_RECV_ARENA);
  if (tls) throw new TypeError('recvArena cannot be used with tls: Node decrypts into memory of its own');
  if (recvSize !== undefined && recvSize > arena) {
    throw new RangeError(`recvArena (${arena}) must be at least recvSize (${recvSize}), so that one read fits in a block`);
  }
  return arena;
}

export function resolveListenOptions(options: ListenOptions): ListenConfig {
  checkObject(options, 'listen options');
  const path = optionalString(options.path, 'path');
  if (path !== undefined && options.port !== undefined) {
    throw new TypeError(`give either port or path, not both (got port ${String(options.port)} and path ${path})`);
  }
  const onError = options.onError;
  if (onError !== undefined && typeof onError !== 'function') {
    throw new TypeError(`onError must be a function (got ${describe(onError)})`);
  }
  const maxConnections = orDefault(options.maxConnections, Infinity);
  if (maxConnections !== Infinity) integer(maxConnections, 'maxConnections', 1, Number.MAX_SAFE_INTEGER);
  const socket = resolveSocketOptions(options);
  return Object.freeze({
    ...socket,
    host: optionalString(options.host, 'host') ?? '127.0.0.1',
    port: path === undefined ? integer(orDefault(options.port, 0), 'port', 0, 65_535) : 0,
    path,
    tls: resolveTlsServer(options.tls, socket.idleTimeout),
    maxConnections,
    backlog: integer(orDefault(options.backlog, 511), 'backlog', 0, 65_535),
    onError,
  });
}

/**
 * An option's value, or `fallback` when it is left out. Only `undefined` means "the default" (not
 * `??`): a `null` is a mistake, which the option's own check then refuses.
 */
function orDefault<T, F>(value: T | undefined, fallback: F): T | F {
  return value === undefined ? fallback : value;
}

export function resolveGraceMs(options: CloseOptions | undefined): number {
  if (options !== undefined) checkObject(options, 'close options');
  const graceMs = options?.graceMs;
  if (graceMs === Infinity) return Infinity;
  return timeout(graceMs, 'graceMs', 5_000);
}

function resolveSocketOptions(options: SocketOptions): SocketConfig {
  const recvSize = options.recvSize === undefined ? undefined : integer(options.recvSize, 'recvSize', 1, MAX_RECV_SIZE);
  const noDelay = orDefault(options.noDelay, true);
  if (typeof noDelay !== 'boolean') throw new TypeError(`noDelay must be a boolean (got ${describe(noDelay)})`);
  const keepAlive = orDefault(options.keepAlive, false);
  let keepAliveDelay: false | number;
  if (typeof keepAlive === 'boolean') keepAliveDelay = keepAlive ? 0 : false;
  else if (typeof keepAlive === 'number') keepAliveDelay = timeout(keepAlive, 'keepAlive', 0);
  else throw new TypeError(`keepAlive must be a boolean or a number of milliseconds (got ${describe(keepAlive)})`);
  return {
    recvSize,
    noDelay,
    keepAlive: keepAliveDelay,
    idleTimeout: timeout(options.idleTimeout, 'idleTimeout', 0),
  };
}

function resolveTlsClient(tls: ConnectOptions['tls']): ConnectConfig['tls'] {
  if (tls === undefined || tls === false) return false;
  if (tls === true) return Object.freeze({ rejectUnauthorized: true });
  checkObject(tls, 'tls');
  const rejectUnauthorized = orDefault(tls.rejectUnauthorized, true);
  if (typeof rejectUnauthorized !== 'boolean') {
    throw new TypeError(`tls.rejectUnauthorized must be a boolean (got ${describe(rejectUnauthorized)})`);
  }
  if ((tls.cert === undefined) !== (tls.key === undefined)) {
    throw new TypeError('tls.cert and tls.key go together: give both or neither');
  }
  return Object.freeze({
    ca: tls.ca,
    cert: tls.cert,
    key: tls.key,
    servername: optionalString(tls.servername, 'tls.servername'),
    rejectUnauthorized,
  });
}

function resolveTlsServer(tls: ListenOptions['tls'], idleTimeout: number): ListenConfig['tls'] {
  if (tls === undefined) return undefined;
  checkObject(tls, 'tls');
  const given: Partial<TlsServerOptions> = tls;
  if (given.cert === undefined || given.key === undefined) {
    throw new TypeError('tls.cert and tls.key are required to serve TLS');
  }
  const requestCert = orDefault(tls.requestCert, false);
  const rejectUnauthorized = orDefault(tls.rejectUnauthorized, true);
  if (typeof requestCert !== 'boolean') throw new TypeError(`tls.requestCert must be a boolean (got ${describe(requestCert)})`);
  if (typeof rejectUnauthorized !== 'boolean') {
    throw new TypeError(`tls.rejectUnauthorized must be a boolean (got ${describe(rejectUnauthorized)})`);
  }
  const handshakeTimeout = timeout(tls.handshakeTimeout, 'tls.handshakeTimeout', idleTimeout > 0 ? idleTimeout : DEFAULT_HANDSHAKE_TIMEOUT);
  return Object.freeze({ cert: tls.cert, key: tls.key, ca: tls.ca, requestCert, rejectUnauthorized, handshakeTimeout });
}

/** The PEM options of a TLS client or server. */
interface TlsPem {
  readonly ca?: Pem | undefined;
  readonly cert?: Pem | undefined;
  readonly key?: Pem | undefined;
}

const PEM_OPTIONS = ['ca', 'cert', 'key'] as const;

/**
 * The TLS context of `tls.ca`, `tls.cert` and `tls.key`. Node throws OpenSSL's error for PEM
 * it cannot use (`error:0480006C:PEM routines::no start line`); this throws a `TypeError`
 * naming the option instead (the value is never quoted: it may be a private key).
 */
export function tlsContext(pem: TlsPem): SecureContext {
  if (pem.ca !== undefined) checkCa(pem.ca);
  try {
    return createSecureContext(nodePem(pem));
  } catch (error) {
    throw unusablePem(pem, error);
  }
}

// A certificate block of PEM text, under the labels OpenSSL reads trusted certificates from.
const CERTIFICATE_BLOCK = /-----BEGIN ((?:TRUSTED |X509 )?CERTIFICATE)-----[\s\S]*?-----END \1-----/g;

/**
 * OpenSSL takes any text for `ca` and keeps the certificates it can read in it, skipping what
 * it cannot: `not pem`, a private key or a damaged block would leave no trusted certificate,
 * and every connection would fail verification later. Each value given must hold at least one
 * certificate block, and each `CERTIFICATE` block must parse.
 */
function checkCa(ca: Pem): void {
  const values = typeof ca === 'string' || ca instanceof Uint8Array ? [ca] : ca;
  values.forEach((value, index) => {
    const name = values === ca ? `tls.ca[${index}]` : 'tls.ca';
    const text = typeof value === 'string' ? value : new TextDecoder('latin1').decode(value);
    const blocks = text.match(CERTIFICATE_BLOCK) ?? [];
    if (blocks.length === 0) throw new TypeError(`${name} must be certificates in PEM (no -----BEGIN CERTIFICATE----- block in it)`);
    blocks.forEach((block, k) => {
      if (!block.startsWith('-----BEGIN CERTIFICATE-----')) return;
      try {
        new X509Certificate(block);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new TypeError(`${name} must be certificates in PEM (certificate ${k + 1} of ${blocks.length} cannot be read: ${reason})`, {
          cause: error,
        });
      }
    });
  });
}

function nodePem({ ca, cert, key }: TlsPem): SecureContextOptions {
  return {
    ...(ca === undefined ? {} : { ca: ca as SecureContextOptions['ca'] }),
    ...(cert === undefined ? {} : { cert: cert as SecureContextOptions['cert'] }),
    ...(key === undefined ? {} : { key: key as SecureContextOptions['key'] }),
  };
}

function unusablePem(pem: TlsPem, error: unknown): TypeError {
  const reason = (error as { reason?: unknown }).reason;
  const code = (error as { code?: unknown }).code;
  const openssl =
    typeof reason === 'string' && reason !== '' ? `${reason}${typeof code === 'string' ? `, ${code}` : ''}` : error instanceof Error ? error.message : String(error);
  // Each option alone first: the one OpenSSL refuses by itself is the culprit.
  const culprit = PEM_OPTIONS.find((name) => {
    if (pem[name] === undefined) return false;
    try {
      createSecureContext(nodePem({ [name]: pem[name] }));
      return false;
    } catch {
      return true;
    }
  });
  let what: string;
  if (culprit === 'key') what = 'tls.key must be a private key in PEM';
  else if (culprit !== undefined) what = `tls.${culprit} must be ${culprit === 'ca' ? 'certificates' : 'a certificate chain'} in PEM`;
  else if (pem.cert !== undefined && pem.key !== undefined) what = 'tls.key is not the private key of tls.cert';
  else what = 'tls.ca, tls.cert and tls.key cannot be used together';
  return new TypeError(`${what} (OpenSSL: ${openssl})`, { cause: error });
}

function checkObject(value: unknown, name: string): void {
  if (typeof value !== 'object' || value === null) throw new TypeError(`${name} must be an object (got ${describe(value)})`);
}

function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw new TypeError(`${name} must be a non-empty string (got ${describe(value)})`);
  return value;
}

function integer(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max} (got ${describe(value)})`);
  }
  return value;
}

function timeout(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_TIMEOUT) {
    throw new RangeError(`${name} must be a number of milliseconds from 0 to ${MAX_TIMEOUT} (got ${describe(value)})`);
  }
  return value;
}

/** A short description of a value for error messages. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined || value === null) return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return 'a function';
  return Array.isArray(value) ? 'an array' : 'an object';
}
