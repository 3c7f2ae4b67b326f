import { describe, expect, it } from 'vitest';
import {
  resolveConnectOptions,
  resolveGraceMs,
  resolveListenOptions,
  type ConnectOptions,
  type ListenOptions,
  type RecvMemory,
} from './options.js';

const memory: RecvMemory = { next: () => new Uint8Array(8), filled: () => undefined };

describe('resolveConnectOptions', () => {
  it('fills in the documented defaults and freezes the result', () => {
    const config = resolveConnectOptions({ port: 1234 });
    expect(config).toEqual({
      host: '127.0.0.1',
      port: 1234,
      path: undefined,
      tls: false,
      recvSize: undefined,
      noDelay: true,
      keepAlive: false,
      idleTimeout: 0,
      connectTimeout: 10_000,
      signal: undefined,
      recvArena: undefined,
      reuseArena: undefined,
      recvInto: undefined,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('turns tls: true into verification on, and keeps verification on unless told', () => {
    expect(resolveConnectOptions({ port: 1, tls: true }).tls).toEqual({ rejectUnauthorized: true });
    expect(resolveConnectOptions({ port: 1, tls: { ca: 'pem' } }).tls).toMatchObject({ ca: 'pem', rejectUnauthorized: true });
    expect(resolveConnectOptions({ port: 1, tls: { rejectUnauthorized: false } }).tls).toMatchObject({ rejectUnauthorized: false });
  });

  it('maps keepAlive to an initial delay', () => {
    expect(resolveConnectOptions({ port: 1, keepAlive: true }).keepAlive).toBe(0);
    expect(resolveConnectOptions({ port: 1, keepAlive: 30_000 }).keepAlive).toBe(30_000);
    expect(resolveConnectOptions({ port: 1, keepAlive: false }).keepAlive).toBe(false);
  });

  it('accepts a Unix socket path instead of a port', () => {
    expect(resolveConnectOptions({ path: '/tmp/x.sock' })).toMatchObject({ path: '/tmp/x.sock', port: 0 });
  });

  it.each<[ConnectOptions, string]>([
    [{}, 'port is required (or path, for a Unix socket)'],
    [{ port: 0 }, 'port must be an integer from 1 to 65535 (got 0)'],
    [{ port: 65_536 }, 'port must be an integer from 1 to 65535 (got 65536)'],
    [{ port: 1.5 }, 'port must be an integer from 1 to 65535 (got 1.5)'],
    [{ port: '80' as unknown as number }, 'port must be an integer from 1 to 65535 (got "80")'],
    [{ port: 1, path: '/x' }, 'give either port or path, not both (got port 1 and path /x)'],
    [{ port: 1, host: '' }, 'host must be a non-empty string (got "")'],
    [{ port: 1, recvSize: 0 }, 'recvSize must be an integer from 1 to 67108864 (got 0)'],
    [{ port: 1, recvArena: 1000 }, 'recvArena must be an integer from 1024 to 1073741824 (got 1000)'],
    [{ port: 1, recvArena: 4096, recvSize: 8192 }, 'recvArena (4096) must be at least recvSize (8192), so that one read fits in a block'],
    [{ port: 1, recvArena: 65_536, tls: true }, 'recvArena cannot be used with tls: Node decrypts into memory of its own'],
    [{ port: 1, reuseArena: () => 0 }, 'reuseArena needs recvArena: it reuses that block'],
    [{ port: 1, recvArena: 65_536, reuseArena: 0 as unknown as () => number }, 'reuseArena must be a function returning the bytes you hold (got 0)'],
    [{ port: 1, recvInto: {} as RecvMemory }, 'recvInto must be an object with next() and filled(bytesRead) methods (got an object)'],
    [{ port: 1, recvInto: (() => new Uint8Array(8)) as unknown as RecvMemory }, 'recvInto must be an object with next() and filled(bytesRead) methods (got a function)'],
    [{ port: 1, recvInto: memory, tls: true }, 'recvInto cannot be used with tls: Node decrypts into memory of its own'],
    [{ port: 1, recvInto: memory, recvSize: 8 }, 'recvInto cannot be used with recvSize: the memory it gives sets the read size'],
    [{ port: 1, recvInto: memory, recvArena: 65_536 }, 'recvInto cannot be used with recvArena: give one or the other'],
    [{ port: 1, noDelay: 1 as unknown as boolean }, 'noDelay must be a boolean (got 1)'],
    [{ port: 1, keepAlive: -5 }, 'keepAlive must be a number of milliseconds from 0 to 2147483647 (got -5)'],
    [{ port: 1, keepAlive: 'yes' as unknown as boolean }, 'keepAlive must be a boolean or a number of milliseconds (got "yes")'],
    [{ port: 1, idleTimeout: Number.NaN }, 'idleTimeout must be a number of milliseconds from 0 to 2147483647 (got NaN)'],
    [{ port: 1, connectTimeout: Infinity }, 'connectTimeout must be a number of milliseconds from 0 to 2147483647 (got Infinity)'],
    [{ port: 1, signal: {} as AbortSignal }, 'signal must be an AbortSignal (got an object)'],
    [{ port: 1, tls: { cert: 'c' } }, 'tls.cert and tls.key go together: give both or neither'],
    [{ port: 1, tls: { rejectUnauthorized: 'no' as unknown as boolean } }, 'tls.rejectUnauthorized must be a boolean (got "no")'],
  ])('rejects %j: %s', (options, message) => {
    expect(() => resolveConnectOptions(options)).toThrow(message);
  });

  it('throws RangeError for numbers out of range and TypeError for wrong kinds', () => {
    expect(() => resolveConnectOptions({ port: 0 })).toThrow(RangeError);
    expect(() => resolveConnectOptions({ port: 1, noDelay: 1 as unknown as boolean })).toThrow(TypeError);
    expect(() => resolveConnectOptions(null as unknown as ConnectOptions)).toThrow('connect options must be an object (got null)');
  });

  // Only undefined means "the default": a null is a mistake, refused like any other bad value.
  it.each<[ConnectOptions, string]>([
    [{ port: 1, noDelay: null as unknown as boolean }, 'noDelay must be a boolean (got null)'],
    [{ port: 1, keepAlive: null as unknown as boolean }, 'keepAlive must be a boolean or a number of milliseconds (got null)'],
    [{ port: 1, tls: { rejectUnauthorized: null as unknown as boolean } }, 'tls.rejectUnauthorized must be a boolean (got null)'],
  ])('rejects null in %j: %s', (options, message) => {
    expect(() => resolveConnectOptions(options)).toThrow(message);
  });
});

describe('resolveListenOptions', () => {
  it('binds 127.0.0.1 on a free port with no limit by default', () => {
    expect(resolveListenOptions({})).toMatchObject({
      host: '127.0.0.1',
      port: 0,
      path: undefined,
      tls: undefined,
      maxConnections: Infinity,
      backlog: 511,
      noDelay: true,
      idleTimeout: 0,
    });
  });

  it('bounds the TLS handshake by the idle timeout when one is set, else by the 120 s of Node', () => {
    const tls = { cert: 'c', key: 'k' };
    expect(resolveListenOptions({ tls }).tls).toMatchObject({ handshakeTimeout: 120_000 });
    expect(resolveListenOptions({ tls, idleTimeout: 2_000 }).tls).toMatchObject({ handshakeTimeout: 2_000 });
    expect(resolveListenOptions({ tls: { ...tls, handshakeTimeout: 0 }, idleTimeout: 2_000 }).tls).toMatchObject({ handshakeTimeout: 0 });
  });

  it.each<[ListenOptions, string]>([
    [{ tls: { cert: 'c', key: 'k', handshakeTimeout: -1 } }, 'tls.handshakeTimeout must be a number of milliseconds from 0 to 2147483647 (got -1)'],
    [{ port: -1 }, 'port must be an integer from 0 to 65535 (got -1)'],
    [{ maxConnections: 0 }, 'maxConnections must be an integer from 1 to 9007199254740991 (got 0)'],
    [{ tls: { cert: 'c' } as ListenOptions['tls'] }, 'tls.cert and tls.key are required to serve TLS'],
    [{ onError: 'log' as unknown as ListenOptions['onError'] }, 'onError must be a function (got "log")'],
    [{ port: 1, path: '/x' }, 'give either port or path, not both (got port 1 and path /x)'],
    [{ backlog: 1e6 }, 'backlog must be an integer from 0 to 65535 (got 1000000)'],
    [{ port: null as unknown as number }, 'port must be an integer from 0 to 65535 (got null)'],
    [{ maxConnections: null as unknown as number }, 'maxConnections must be an integer from 1 to 9007199254740991 (got null)'],
    [{ backlog: null as unknown as number }, 'backlog must be an integer from 0 to 65535 (got null)'],
    [{ noDelay: null as unknown as boolean }, 'noDelay must be a boolean (got null)'],
    [{ tls: { cert: 'c', key: 'k', requestCert: null as unknown as boolean } }, 'tls.requestCert must be a boolean (got null)'],
    [{ tls: { cert: 'c', key: 'k', rejectUnauthorized: null as unknown as boolean } }, 'tls.rejectUnauthorized must be a boolean (got null)'],
  ])('rejects %j: %s', (options, message) => {
    expect(() => resolveListenOptions(options)).toThrow(message);
  });
});

describe('resolveGraceMs', () => {
  it('defaults to 5 s and accepts Infinity', () => {
    expect(resolveGraceMs(undefined)).toBe(5_000);
    expect(resolveGraceMs({})).toBe(5_000);
    expect(resolveGraceMs({ graceMs: Infinity })).toBe(Infinity);
    expect(resolveGraceMs({ graceMs: 0 })).toBe(0);
  });

  it('refuses a bare number (close(1000) for close({ graceMs: 1000 })) and a null graceMs', () => {
    expect(() => resolveGraceMs(1000 as unknown as { graceMs: number })).toThrow(new TypeError('close options must be an object (got 1000)'));
    expect(() => resolveGraceMs({ graceMs: null as unknown as number })).toThrow(new RangeError('graceMs must be a number of milliseconds from 0 to 2147483647 (got null)'));
  });
});
