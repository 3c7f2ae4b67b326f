/**
 * The errors of the transport: one small family under {@link TransportError}, each with a
 * stable `code` that callers can switch on. Messages are one clear line with the address
 * and the numbers in it; the Node error, when there is one, is kept as `cause`.
 *
 * @module
 */

/** Stable codes carried by every {@link TransportError}. */
export type TransportErrorCode =
  | 'ERR_CONNECTION_REFUSED'
  | 'ERR_CONNECTION_RESET'
  | 'ERR_CONNECTION_CLOSED'
  | 'ERR_CONNECT_TIMEOUT'
  | 'ERR_IDLE_TIMEOUT'
  | 'ERR_ADDRESS_IN_USE'
  | 'ERR_SOCKET_NOT_FOUND'
  | 'ERR_HOST_NOT_FOUND'
  | 'ERR_TLS_CERTIFICATE'
  | 'ERR_TLS_HANDSHAKE'
  | 'ERR_ABORTED'
  | 'ERR_SERVER_CLOSED'
  | 'ERR_SOCKET';

/** Options shared by every transport error. */
export interface TransportErrorOptions {
  /** The underlying error (usually Node's `ErrnoException` or TLS error), if any. */
  cause?: unknown;
}

/** Base class of every error the transport raises or rejects with. */
export abstract class TransportError extends Error {
  /** The stable, machine-readable code. */
  abstract readonly code: TransportErrorCode;

  constructor(message: string, options: TransportErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
  }

  override get name(): string {
    return this.constructor.name;
  }
}

/** Nobody listens at the address (`ECONNREFUSED`). */
export class ConnectionRefusedError extends TransportError {
  readonly code = 'ERR_CONNECTION_REFUSED' as const;
  /** The address that refused, as `host:port` or a socket path. */
  readonly address: string;

  constructor(address: string, options?: TransportErrorOptions) {
    super(`connection refused by ${address}`, options);
    this.address = address;
  }
}

/**
 * The peer reset the connection (`ECONNRESET`, `EPIPE`, `ECONNABORTED`). Raised by the
 * reader after every chunk received before the reset, and by pending writes.
 */
export class ConnectionResetError extends TransportError {
  readonly code = 'ERR_CONNECTION_RESET' as const;

  constructor(options?: TransportErrorOptions) {
    super('connection reset by peer', options);
  }
}

/** An operation needs an open connection, and this one is closed (or its write side ended). */
export class ConnectionClosedError extends TransportError {
  readonly code = 'ERR_CONNECTION_CLOSED' as const;

  constructor(message = 'connection is closed', options?: TransportErrorOptions) {
    super(message, options);
  }
}

/** Connecting (including the TLS handshake) took longer than `connectTimeout`. */
export class ConnectTimeoutError extends TransportError {
  readonly code = 'ERR_CONNECT_TIMEOUT' as const;
  /** The address being connected to. */
  readonly address: string;
  /** The timeout that passed, in milliseconds. */
  readonly timeout: number;

  constructor(address: string, timeout: number, options?: TransportErrorOptions) {
    super(`timed out after ${formatSeconds(timeout)} connecting to ${address}`, options);
    this.address = address;
    this.timeout = timeout;
  }
}

/** No byte was read or written for `idleTimeout` milliseconds; the connection was closed. */
export class IdleTimeoutError extends TransportError {
  readonly code = 'ERR_IDLE_TIMEOUT' as const;
  /** The idle timeout, in milliseconds. */
  readonly timeout: number;

  constructor(timeout: number, options?: TransportErrorOptions) {
    super(`idle for more than ${formatSeconds(timeout)}`, options);
    this.timeout = timeout;
  }
}

/** `listen` could not bind: another socket holds the address or the socket path exists. */
export class AddressInUseError extends TransportError {
  readonly code = 'ERR_ADDRESS_IN_USE' as const;
  /** The address asked for. */
  readonly address: string;

  constructor(address: string, options?: TransportErrorOptions) {
    super(`address already in use: ${address}`, options);
    this.address = address;
  }
}

/** No Unix domain socket exists at the path (`ENOENT`). */
export class SocketNotFoundError extends TransportError {
  readonly code = 'ERR_SOCKET_NOT_FOUND' as const;
  /** The socket path. */
  readonly path: string;

  constructor(path: string, options?: TransportErrorOptions) {
    super(`no Unix socket at ${path}`, options);
    this.path = path;
  }
}

/**
 * The host name did not resolve (`ENOTFOUND`, `EAI_AGAIN`). The message quotes the name
 * (`host not found: "example.invalid"`), so that a name with spaces or odd characters
 * reads as one, and names no port: the port plays no part in resolving a host.
 */
export class HostNotFoundError extends TransportError {
  readonly code = 'ERR_HOST_NOT_FOUND' as const;
  /** The host name, as it was given. */
  readonly host: string;

  constructor(host: string, options?: TransportErrorOptions) {
    super(`host not found: ${JSON.stringify(host)}`, options);
    this.host = host;
  }
}

/**
 * A TLS certificate failed verification: untrusted issuer, self-signed, expired, or issued
 * for another name. `reason` is OpenSSL's or Node's code (`SELF_SIGNED_CERT_IN_CHAIN`,
 * `UNABLE_TO_VERIFY_LEAF_SIGNATURE`, `ERR_TLS_CERT_ALTNAME_INVALID`, …).
 */
export class TlsCertificateError extends TransportError {
  readonly code = 'ERR_TLS_CERTIFICATE' as const;
  /** The verification failure's code. */
  readonly reason: string;

  constructor(address: string, reason: string, detail: string, options?: TransportErrorOptions) {
    super(`TLS certificate verification failed for ${address}: ${detail} (${reason})`, options);
    this.reason = reason;
  }
}

/** Options of {@link TlsHandshakeError}. */
export interface TlsHandshakeErrorOptions extends TransportErrorOptions {
  /**
   * The connection was up (the handshake done, as far as this side knew): the message then
   * reads `TLS error on …` instead of `TLS handshake with … failed`.
   */
  established?: boolean | undefined;
}

/**
 * The TLS handshake failed for another reason than verification (protocol, alert, not TLS),
 * or TLS failed later on an established connection (a damaged record, an alert from the
 * peer): `TLS error on 127.0.0.1:1234: …` then.
 */
export class TlsHandshakeError extends TransportError {
  readonly code = 'ERR_TLS_HANDSHAKE' as const;

  constructor(address: string, detail: string, options: TlsHandshakeErrorOptions = {}) {
    super(options.established === true ? `TLS error on ${address}: ${detail}` : `TLS handshake with ${address} failed: ${detail}`, options);
  }
}

/** `connect` was aborted through its `signal`; `cause` is the signal's reason. */
export class AbortedError extends TransportError {
  readonly code = 'ERR_ABORTED' as const;

  constructor(address: string, options?: TransportErrorOptions) {
    super(`connecting to ${address} was aborted`, options);
  }
}

/** The server closed and destroyed this connection after its grace period ran out. */
export class ServerClosedError extends TransportError {
  readonly code = 'ERR_SERVER_CLOSED' as const;
  /** The grace period that ran out, in milliseconds. */
  readonly graceMs: number;

  constructor(graceMs: number, options?: TransportErrorOptions) {
    super(`server closed: connection destroyed after the ${formatSeconds(graceMs)} grace period`, options);
    this.graceMs = graceMs;
  }
}

/** Any other socket failure; `syscallCode` is Node's code (`EHOSTUNREACH`, `EACCES`, …). */
export class SocketError extends TransportError {
  readonly code = 'ERR_SOCKET' as const;
  /** Node's error code, when it had one. */
  readonly syscallCode: string | undefined;

  constructor(message: string, syscallCode: string | undefined, options?: TransportErrorOptions) {
    super(message, options);
    this.syscallCode = syscallCode;
  }
}

/** True if `error` is a {@link TransportError} (optionally with the given code). */
export function isTransportError(error: unknown, code?: TransportErrorCode): error is TransportError {
  return error instanceof TransportError && (code === undefined || error.code === code);
}

/** `5000` → `5 s`, `1500` → `1.5 s`, `1` → `0.001 s`. */
export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

// OpenSSL's X509 verification codes as Node reports them, plus Node's own name check.
const CERTIFICATE_CODES = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_CRL',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECRYPT_CRL_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'CERT_SIGNATURE_FAILURE',
  'CRL_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'CRL_NOT_YET_VALID',
  'CRL_HAS_EXPIRED',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
  'ERROR_IN_CRL_LAST_UPDATE_FIELD',
  'ERROR_IN_CRL_NEXT_UPDATE_FIELD',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_CHAIN_TOO_LONG',
  'CERT_REVOKED',
  'INVALID_CA',
  'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Where a failure happened, for the message. */
export interface ErrorContext {
  /** The peer or bound address, formatted (`127.0.0.1:1234`, `[::1]:1234`, a path). */
  readonly address: string;
  /** The host name asked for, for `ENOTFOUND`. */
  readonly host?: string | undefined;
  /** The socket path asked for, for `ENOENT`. */
  readonly path?: string | undefined;
  /** The connection is up: a TLS failure is then not a failed handshake (see {@link TlsHandshakeError}). */
  readonly established?: boolean | undefined;
}

/**
 * Maps a Node socket, DNS or TLS error to the {@link TransportError} family (the original
 * stays as `cause`). A {@link TransportError} is returned as it is.
 */
export function toTransportError(error: unknown, context: ErrorContext): TransportError {
  if (error instanceof TransportError) return error;
  const code = errorCode(error);
  const options = { cause: error };
  switch (code) {
    case 'ECONNREFUSED':
      return new ConnectionRefusedError(context.address, options);
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED':
      return new ConnectionResetError(options);
    case 'EADDRINUSE':
      return new AddressInUseError(context.address, options);
    case 'ENOENT':
      if (context.path !== undefined) return new SocketNotFoundError(context.path, options);
      break;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return new HostNotFoundError(context.host ?? context.address, options);
    case undefined:
      break;
    default:
      if (CERTIFICATE_CODES.has(code)) {
        return new TlsCertificateError(context.address, code, errorMessage(error), options);
      }
      if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) {
        // OpenSSL's message is a long internal trace; its `reason` is the readable part.
        const reason = (error as { reason?: unknown }).reason;
        const detail = typeof reason === 'string' && reason !== '' ? `${reason} (${code})` : errorMessage(error);
        return new TlsHandshakeError(context.address, detail, { ...options, established: context.established });
      }
  }
  return new SocketError(`socket error on ${context.address}: ${errorMessage(error)}`, code, options);
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  // Node's happy-eyeballs connect (autoSelectFamily) reports every attempt in an AggregateError.
  if (error instanceof AggregateError) return errorCode(error.errors[0]);
  return undefined;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
