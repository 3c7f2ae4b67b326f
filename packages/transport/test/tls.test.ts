import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionResetError, connect, listen, TlsCertificateError, TlsHandshakeError, type Connection, type Server } from '../src/index.js';
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
