import net from 'node:net';
import tls from 'node:tls';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConnectionResetError, connect, IdleTimeoutError, listen, TlsCertificateError, TlsHandshakeError, type Connection, type Server } from '../src/index.js';
import { bytes, chunks, fixture, portOf, readAll, serverTls, text, until } from './helpers.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close({ graceMs: 0 })));
});

const serverErrors: Error[] = [];
async function serve(tls: Parameters<typeof listen>[0]['tls'], handler: (conn: Connection) => void | Promise<void>): Promise<Server> {
  const server = await listen({ port: 0, tls, onError: (error) => serverErrors.push(error) }, handler);
  servers.push(server);
  return server;
}

const greet = async (conn: Connection): Promise<void> => {
  await conn.write(bytes('hello over TLS'));
  await conn.end();
};

describe('certificate verification (on by default)', () => {
  it('succeeds with the test CA', async () => {
    const server = await serve(serverTls(), greet);
    const conn = await connect({ port: portOf(server), tls: { ca: fixture('ca.pem') } });
    expect(conn.encrypted).toBe(true);
    expect(text(await readAll(conn))).toBe('hello over TLS');
    conn.close();
  });

  it('succeeds with the certificate checked against a name (servername localhost)', async () => {
    const server = await serve(serverTls(), greet);
    const conn = await connect({ port: portOf(server), tls: { ca: fixture('ca.pem'), servername: 'localhost' } });
    expect(text(await readAll(conn))).toBe('hello over TLS');
    conn.close();
  });

  it('fails without the CA (tls: true trusts only the public CAs), with the reason', async () => {
    const server = await serve(serverTls(), greet);
    const port = portOf(server);
    const error = await connect({ port, tls: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TlsCertificateError);
    expect(error).toMatchObject({
      code: 'ERR_TLS_CERTIFICATE',
      reason: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      message: `TLS certificate verification failed for 127.0.0.1:${port}: unable to verify the first certificate (UNABLE_TO_VERIFY_LEAF_SIGNATURE)`,
      cause: { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' },
    });
  });

  it('fails when the certificate is for another name', async () => {
    const server = await serve(serverTls(), greet);
    const error = await connect({ port: portOf(server), tls: { ca: fixture('ca.pem'), servername: 'example.com' } }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TlsCertificateError);
    expect(error).toMatchObject({ reason: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    expect((error as Error).message).toContain("Host: example.com. is not in the cert's altnames");
  });

  it('accepts any certificate with rejectUnauthorized: false', async () => {
    const server = await serve(serverTls(), greet);
    const conn = await connect({ port: portOf(server), tls: { rejectUnauthorized: false } });
    expect(text(await readAll(conn))).toBe('hello over TLS');
    conn.close();
  });
});

describe('client certificates (requestCert)', () => {
  const mutual = (): Parameters<typeof listen>[0]['tls'] => ({ ...serverTls(), ca: fixture('ca.pem'), requestCert: true });

  it('accepts a client with a certificate from the CA', async () => {
    const server = await serve(mutual(), greet);
    const conn = await connect({
      port: portOf(server),
      tls: { ca: fixture('ca.pem'), cert: fixture('client.pem'), key: fixture('client-key.pem') },
    });
    expect(text(await readAll(conn))).toBe('hello over TLS');
    conn.close();
  });

  it('refuses a client without one: the client gets a typed TLS error, the handler never runs', async () => {
    let handled = 0;
    const server = await serve(mutual(), () => {
      handled++;
    });
    serverErrors.length = 0;
    // With TLS 1.3 the client may finish its side of the handshake before the server
    // rejects it, so the error can come from connect or from the first read.
    const error = await connect({ port: portOf(server), tls: { ca: fixture('ca.pem') } })
      .then(async (conn) => chunks(conn))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: expect.stringMatching(/^ERR_(TLS_HANDSHAKE|CONNECTION_RESET)$/) as unknown });
    expect(handled).toBe(0);
    expect(serverErrors.length).toBeGreaterThanOrEqual(1);
    expect(serverErrors[0]).toMatchObject({
      code: 'ERR_TLS_HANDSHAKE',
      message: expect.stringMatching(/^TLS handshake with 127\.0\.0\.1:\d+ failed: peer did not return a certificate \(ERR_SSL_\w+\)$/) as unknown,
    });
  });
});

describe('TLS streams', () => {
  it('carries writes batched from several chunks, and half-closes', async () => {
    const server = await serve(serverTls(), async (conn) => {
      const request = text(await readAll(conn));
      await conn.write(bytes('you said: '), bytes(request));
      await conn.end();
    });
    const conn = await connect({ port: portOf(server), tls: { ca: fixture('ca.pem') } });
    await conn.write(bytes('one '), bytes('two '), bytes('three'));
    await conn.end();
    expect(text(await readAll(conn))).toBe('you said: one two three');
    await conn.closed;
  });
});

describe('a TLS stream damaged after the handshake', () => {
  it('fails the reader with a TLS error that does not call it a failed handshake', async () => {
    const server = await serve(serverTls(), async (conn) => {
      await conn.write(bytes('first'));
      // The second record goes out once the client has read the first, so that the proxy
      // damages that one only.
      for await (const chunk of conn) if (chunk.length > 0) break;
      await conn.write(new Uint8Array(1000).fill(7));
    });
    // A proxy that flips one byte inside the first large record the server sends.
    let damaged = false;
    const sockets: net.Socket[] = [];
    const proxy = net.createServer((down) => {
      const up = net.connect(portOf(server), '127.0.0.1');
      sockets.push(up, down);
      up.on('error', () => undefined);
      down.on('error', () => undefined);
      down.on('data', (data: Buffer) => up.write(data));
      up.on('data', (data: Buffer) => {
        if (flip && !damaged && data.length > 500) {
          damaged = true;
          data[data.length - 100]! ^= 0xff;
        }
        down.write(data);
      });
      up.on('close', () => down.destroy());
      down.on('close', () => up.destroy());
    });
    let flip = false;
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const conn = await connect({ port: (proxy.address() as net.AddressInfo).port, tls: { ca: fixture('ca.pem') } });
      flip = true;
      const reader = conn[Symbol.asyncIterator]();
      const first: IteratorResult<Uint8Array, unknown> = await reader.next();
      if (first.done === true) throw new Error('the connection ended before the first record');
      expect(text(first.value)).toBe('first');
      await conn.write(bytes('go'));
      const failure = await reader.next().then(() => undefined, (error: unknown) => error);
      expect(damaged).toBe(true);
      expect(failure).toBeInstanceOf(TlsHandshakeError);
      expect((failure as Error).message).toMatch(/^TLS error on 127\.0\.0\.1:\d+: .+ \(ERR_SSL_\w+\)$/);
      conn.close();
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });
});

describe('failed handshakes', () => {
  it('a client that rejects the certificate frees its slot at once, and the server reports it', async () => {
    serverErrors.length = 0;
    const server = await listen({ port: 0, tls: serverTls(), maxConnections: 1, onError: (error) => serverErrors.push(error) }, greet);
    servers.push(server);
    /** Connects until admitted: the server frees a slot a moment after the client gives up. */
    const admitted = async <T,>(attempt: () => Promise<T>): Promise<T> => {
      for (let tries = 1; ; tries++) {
        try {
          return await attempt();
        } catch (error) {
          if (!(error instanceof ConnectionResetError) || tries === 50) throw error;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    };
    for (let i = 0; i < 3; i++) {
      // No CA given: Node's bundled list does not know the test CA.
      const error = await admitted(() => connect({ port: portOf(server), tls: true })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TlsCertificateError);
      await until(() => serverErrors.length === i + 1, 'the failed handshake to be reported');
      expect(serverErrors[i]).toBeInstanceOf(TlsHandshakeError);
      expect(serverErrors[i]!.message).toMatch(/^TLS handshake with 127\.0\.0\.1:\d+ failed: /);
    }
    // The one slot is free again: a client that trusts the CA is served.
    const conn = await admitted(() => connect({ port: portOf(server), tls: { ca: fixture('ca.pem') } }));
    expect(text(await readAll(conn))).toBe('hello over TLS');
  });

  it('handshakeTimeout: 0 turns the timeout off, instead of the 120 s Node reads 0 as (its longest timer instead)', async () => {
    // Node arms the handshake timeout with setTimeout on the server's TLS socket as it is
    // created, before the handshake: record what a silent client's socket is given.
    const spy = vi.spyOn(net.Socket.prototype, 'setTimeout');
    const armed = (): unknown[] => spy.mock.calls.filter((_call, i) => spy.mock.contexts[i] instanceof tls.TLSSocket).map(([ms]) => ms);
    serverErrors.length = 0;
    const server = await serve({ ...serverTls(), handshakeTimeout: 0 }, greet);
    const silent = net.connect(portOf(server), '127.0.0.1');
    silent.on('error', () => undefined);
    try {
      await until(() => armed().length > 0, "the server's TLS socket to be set up");
      expect(armed()).toEqual([2_147_483_647]);
    } finally {
      spy.mockRestore();
      silent.destroy();
      // The server reports the client that gave up: within this test, not the next one.
      await until(() => serverErrors.length === 1, 'the server to report the client that gave up');
    }
  });

  it('a client that never sends its ClientHello is closed after handshakeTimeout', async () => {
    serverErrors.length = 0;
    const server = await listen(
      { port: 0, tls: { ...serverTls(), handshakeTimeout: 200 }, onError: (error) => serverErrors.push(error) },
      greet,
    );
    servers.push(server);
    const silent = net.connect(portOf(server), '127.0.0.1');
    silent.on('error', () => undefined);
    const closed = new Promise<void>((resolve) => silent.once('close', () => { resolve(); }));
    silent.resume();
    await closed;
    await until(() => serverErrors.length === 1, 'the handshake timeout to be reported');
    expect(serverErrors[0]).toBeInstanceOf(TlsHandshakeError);
    expect(serverErrors[0]!.message).toMatch(/^TLS handshake with 127\.0\.0\.1:\d+ failed: .*timeout/i);
  });
});

describe('idleTimeout over TLS', () => {
  // The reader takes 512 KiB, then sleeps 20 ms: at most 26 MB/s, so 48 MiB take nearly two
  // seconds (the kernel buffers hold a few MiB), several idle timeouts' worth. The bytes leave
  // the TCP socket under TLS all along — the kernel takes a new piece of them every ~0.1 s
  // here, when its send buffer is half empty — but no TLS write ends and nothing is read on
  // the writer's side until the whole write is done. Node holds back a TCP socket's timeout
  // while its write queue shrinks; the TLS socket's own queue does not move, so the timeout
  // fired after twice `idleTimeout` and cut the write short.
  const SIZE = 48 * 1024 * 1024;
  const STEP = 512 * 1024;
  const IDLE = 500;

  /** Reads to the end, sleeping 20 ms after every STEP bytes; the byte count, or what it threw. */
  async function slowRead(conn: Connection): Promise<{ received: number; error: unknown }> {
    let received = 0;
    let since = 0;
    try {
      for await (const chunk of conn) {
        received += chunk.length;
        since += chunk.length;
        if (since >= STEP) {
          since = 0;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
      return { received, error: undefined };
    } catch (error) {
      return { received, error };
    }
  }

  it('does not fire during one long write whose bytes keep leaving, as over TCP (client writes)', async () => {
    let reading: Promise<{ received: number; error: unknown }> | undefined;
    const server = await serve(serverTls(), async (conn) => {
      reading = slowRead(conn);
      await reading;
      conn.close();
    });
    const conn = await connect({ port: portOf(server), tls: { ca: fixture('ca.pem') }, idleTimeout: IDLE });
    await expect(conn.write(new Uint8Array(SIZE))).resolves.toBeUndefined();
    await conn.end();
    await readAll(conn);
    expect(await reading).toEqual({ received: SIZE, error: undefined });
    expect(conn.error).toBeUndefined();
    await expect(conn.closed).resolves.toBeUndefined();
  });

  it('does not fire during one long write whose bytes keep leaving, as over TCP (server writes)', async () => {
    let writing: Promise<void> | undefined;
    let accepted: Connection | undefined;
    const server = await listen({ port: 0, tls: serverTls(), idleTimeout: IDLE, onError: (error) => serverErrors.push(error) }, (conn) => {
      accepted = conn;
      writing = conn.write(new Uint8Array(SIZE));
      void writing.then(() => conn.end()).catch(() => undefined);
    });
    servers.push(server);
    const conn = await connect({ port: portOf(server), tls: { ca: fixture('ca.pem') } });
    expect(await slowRead(conn)).toEqual({ received: SIZE, error: undefined });
    await expect(writing).resolves.toBeUndefined();
    expect(accepted?.error).toBeUndefined();
    conn.close();
  });

  it('still fires during a write nobody reads: the bytes stop leaving', async () => {
    const server = await serve(serverTls(), () => undefined);
    const conn = await connect({ port: portOf(server), tls: { ca: fixture('ca.pem') }, idleTimeout: 100 });
    const writing = conn.write(new Uint8Array(32 * 1024 * 1024));
    await expect(writing).rejects.toBeInstanceOf(IdleTimeoutError);
    await expect(conn.closed).rejects.toBeInstanceOf(IdleTimeoutError);
  });
});

describe('a TLS stream cut off without close_notify', () => {
  it('reads as a clean end: Node 20 passes the TCP end through as the end of the TLS stream (see the README)', async () => {
    // A server that ends the TCP socket under TLS after its data: a FIN with no close_notify
    // before it, as when something on the path cuts the stream short.
    const raw = tls.createServer({ ...serverTls() }, (socket) => {
      socket.on('error', () => undefined);
      socket.write('hello', () => {
        (socket as { _parent?: net.Socket })._parent?.end();
      });
    });
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    try {
      const conn = await connect({ port: (raw.address() as net.AddressInfo).port, tls: { ca: fixture('ca.pem') } });
      expect(text(await readAll(conn))).toBe('hello');
      expect(conn.error).toBeUndefined();
      conn.close();
      await expect(conn.closed).resolves.toBeUndefined();
    } finally {
      await new Promise((resolve) => raw.close(resolve));
    }
  });
});

describe('PEM that OpenSSL cannot use', () => {
  const ca = (): string => fixture('ca.pem');

  it('connect() refuses it with a TypeError naming the option, before opening a socket', async () => {
    // A plain server that records every connection it gets, by the client's port.
    const ports: number[] = [];
    const raw = net.createServer((socket) => {
      ports.push(socket.remotePort ?? -1);
      socket.on('error', () => undefined);
      socket.destroy();
    });
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    const port = (raw.address() as net.AddressInfo).port;
    try {
      const cases: [Parameters<typeof connect>[0]['tls'], RegExp][] = [
        [{ ca: ca(), cert: 'not PEM', key: fixture('client-key.pem') }, /^tls\.cert must be a certificate chain in PEM \(OpenSSL: .+\)$/],
        [{ ca: ca(), cert: fixture('client.pem'), key: 'not PEM' }, /^tls\.key must be a private key in PEM \(OpenSSL: .+\)$/],
        [{ ca: ca(), cert: fixture('client.pem'), key: fixture('server-key.pem') }, /^tls\.key is not the private key of tls\.cert \(OpenSSL: .+\)$/],
      ];
      for (const [tlsOptions, message] of cases) {
        const error = await connect({ port, tls: tlsOptions }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(TypeError);
        expect((error as Error).message).toMatch(message);
        expect((error as Error).message).not.toContain('PRIVATE KEY');
        expect((error as Error).cause).toMatchObject({ code: expect.stringMatching(/^ERR_OSSL_/) as unknown });
      }
      // A connection made after them is the first the server sees: they opened none (a socket
      // opened before the refusal would have connected, and been accepted, first).
      const probe = await connect({ port });
      const probePort = probe.localEndpoint.family === 'unix' ? -1 : probe.localEndpoint.port;
      await until(() => ports.includes(probePort), 'the server to accept the probe');
      expect(ports).toEqual([probePort]);
      probe.close();
    } finally {
      await new Promise((resolve) => raw.close(resolve));
    }
  });

  it('connect() and listen() refuse a tls.ca with no certificate OpenSSL can read, which OpenSSL takes silently', async () => {
    const broken = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';
    const cases: [NonNullable<Parameters<typeof connect>[0]['tls']> & object, TypeError][] = [
      [{ ca: 'not PEM' }, new TypeError('tls.ca must be certificates in PEM (no -----BEGIN CERTIFICATE----- block in it)')],
      [{ ca: fixture('server-key.pem') }, new TypeError('tls.ca must be certificates in PEM (no -----BEGIN CERTIFICATE----- block in it)')],
      [{ ca: [ca(), new TextEncoder().encode('not PEM')] }, new TypeError('tls.ca[1] must be certificates in PEM (no -----BEGIN CERTIFICATE----- block in it)')],
    ];
    for (const [tlsOptions, expected] of cases) {
      // Port 1: nobody listens there, so only a refusal before connecting is a TypeError.
      await expect(connect({ port: 1, tls: tlsOptions })).rejects.toThrow(expected);
    }
    for (const ca of [broken, fixture('ca.pem') + broken]) {
      const error = await connect({ port: 1, tls: { ca } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TypeError);
      expect((error as Error).message).toMatch(/^tls\.ca must be certificates in PEM \(certificate (1 of 1|2 of 2) cannot be read: .+\)$/);
    }
    await expect(listen({ port: 0, tls: { ...serverTls(), requestCert: true, ca: 'not PEM' } }, () => undefined)).rejects.toThrow(
      new TypeError('tls.ca must be certificates in PEM (no -----BEGIN CERTIFICATE----- block in it)'),
    );
  });

  it('listen() refuses it with a TypeError naming the option', async () => {
    await expect(listen({ port: 0, tls: { ...serverTls(), cert: 'not PEM' } }, () => undefined)).rejects.toThrow(
      /^tls\.cert must be a certificate chain in PEM \(OpenSSL: .+\)$/,
    );
    await expect(listen({ port: 0, tls: { ...serverTls(), key: fixture('client-key.pem') } }, () => undefined)).rejects.toThrow(
      new TypeError('tls.key is not the private key of tls.cert (OpenSSL: key values mismatch, ERR_OSSL_X509_KEY_VALUES_MISMATCH)'),
    );
  });
});
