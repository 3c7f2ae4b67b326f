import { describe, expect, it } from 'vitest';
import {
  AddressInUseError,
  ConnectionRefusedError,
  ConnectionResetError,
  ConnectTimeoutError,
  HostNotFoundError,
  IdleTimeoutError,
  isTransportError,
  SocketError,
  SocketNotFoundError,
  TlsCertificateError,
  TlsHandshakeError,
  toTransportError,
  formatSeconds,
} from './errors.js';

/** A Node-style error with a code, as sockets, DNS and TLS raise them. */
function nodeError(code: string, message = `${code} happened`, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { code, ...extra });
}

const context = { address: '127.0.0.1:1234', host: 'example.test', path: '/tmp/x.sock' };

describe('messages', () => {
  it('say what happened, where, with the numbers', () => {
    expect(new ConnectionRefusedError('127.0.0.1:1234').message).toBe('connection refused by 127.0.0.1:1234');
    expect(new ConnectionResetError().message).toBe('connection reset by peer');
    expect(new ConnectTimeoutError('127.0.0.1:1234', 5_000).message).toBe('timed out after 5 s connecting to 127.0.0.1:1234');
    expect(new IdleTimeoutError(30_000).message).toBe('idle for more than 30 s');
    expect(new AddressInUseError('[::1]:80').message).toBe('address already in use: [::1]:80');
    expect(new HostNotFoundError('bad host name!').message).toBe('host not found: "bad host name!"');
  });

  it('carry a stable code and the class name', () => {
    const error = new ConnectTimeoutError('127.0.0.1:1234', 1500);
    expect(error.code).toBe('ERR_CONNECT_TIMEOUT');
    expect(error.name).toBe('ConnectTimeoutError');
    expect(String(error)).toBe('ConnectTimeoutError: timed out after 1.5 s connecting to 127.0.0.1:1234');
    expect(isTransportError(error)).toBe(true);
    expect(isTransportError(error, 'ERR_CONNECT_TIMEOUT')).toBe(true);
    expect(isTransportError(error, 'ERR_IDLE_TIMEOUT')).toBe(false);
    expect(isTransportError(new Error('x'))).toBe(false);
  });

  it('formats seconds without trailing noise', () => {
    expect(formatSeconds(5_000)).toBe('5 s');
    expect(formatSeconds(1_500)).toBe('1.5 s');
    expect(formatSeconds(1)).toBe('0.001 s');
    expect(formatSeconds(0)).toBe('0 s');
  });
});

describe('toTransportError', () => {
  it.each([
    ['ECONNREFUSED', ConnectionRefusedError, 'connection refused by 127.0.0.1:1234'],
    ['ECONNRESET', ConnectionResetError, 'connection reset by peer'],
    ['EPIPE', ConnectionResetError, 'connection reset by peer'],
    ['ECONNABORTED', ConnectionResetError, 'connection reset by peer'],
    ['EADDRINUSE', AddressInUseError, 'address already in use: 127.0.0.1:1234'],
    ['ENOENT', SocketNotFoundError, 'no Unix socket at /tmp/x.sock'],
    ['ENOTFOUND', HostNotFoundError, 'host not found: "example.test"'],
    ['EAI_AGAIN', HostNotFoundError, 'host not found: "example.test"'],
    ['EHOSTUNREACH', SocketError, 'socket error on 127.0.0.1:1234: EHOSTUNREACH happened'],
  ])('maps %s to %o', (code, type, message) => {
    const cause = nodeError(code);
    const error = toTransportError(cause, context);
    expect(error).toBeInstanceOf(type);
    expect(error.message).toBe(message);
    expect(error.cause).toBe(cause);
  });

  it('maps certificate failures with their reason', () => {
    const error = toTransportError(nodeError('CERT_HAS_EXPIRED', 'certificate has expired'), context);
    expect(error).toBeInstanceOf(TlsCertificateError);
    expect(error).toMatchObject({
      reason: 'CERT_HAS_EXPIRED',
      message: 'TLS certificate verification failed for 127.0.0.1:1234: certificate has expired (CERT_HAS_EXPIRED)',
    });
  });

  it("maps other TLS failures with OpenSSL's readable reason", () => {
    const error = toTransportError(
      nodeError('ERR_SSL_WRONG_VERSION_NUMBER', '0A00010B:SSL routines:ssl3_get_record:wrong version number:../deps/...', {
        reason: 'wrong version number',
      }),
      context,
    );
    expect(error).toBeInstanceOf(TlsHandshakeError);
    expect(error.message).toBe('TLS handshake with 127.0.0.1:1234 failed: wrong version number (ERR_SSL_WRONG_VERSION_NUMBER)');
  });

  it('says TLS error, not a failed handshake, once the connection is up', () => {
    const error = toTransportError(
      nodeError('ERR_SSL_DECRYPTION_FAILED_OR_BAD_RECORD_MAC', 'SSL routines:...', { reason: 'decryption failed or bad record mac' }),
      { ...context, established: true },
    );
    expect(error).toBeInstanceOf(TlsHandshakeError);
    expect(error.code).toBe('ERR_TLS_HANDSHAKE');
    expect(error.message).toBe('TLS error on 127.0.0.1:1234: decryption failed or bad record mac (ERR_SSL_DECRYPTION_FAILED_OR_BAD_RECORD_MAC)');
  });

  it("reads the first attempt's code from happy-eyeballs' AggregateError", () => {
    const error = toTransportError(new AggregateError([nodeError('ECONNREFUSED')], 'all failed'), context);
    expect(error).toBeInstanceOf(ConnectionRefusedError);
  });

  it('keeps transport errors as they are and wraps anything else', () => {
    const reset = new ConnectionResetError();
    expect(toTransportError(reset, context)).toBe(reset);
    const odd = toTransportError('a string', context);
    expect(odd).toBeInstanceOf(SocketError);
    expect(odd).toMatchObject({ message: 'socket error on 127.0.0.1:1234: a string', syscallCode: undefined });
  });

  it('without a path, ENOENT is a plain socket error', () => {
    expect(toTransportError(nodeError('ENOENT'), { address: 'x' })).toBeInstanceOf(SocketError);
  });
});
