import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, type ConnectOptions, type ListenOptions, type Server } from '../src/index.js';
import { bytes, chunks, echo, firstConnection, fixture, hasIPv6Loopback, portOf, readAll, serverPool, serverTls, tempDir, text } from './helpers.js';

const ipv6 = await hasIPv6Loopback();
if (!ipv6) console.warn('transport tests: no IPv6 loopback (::1) on this machine; IPv6 cases are skipped');

const { serve, closeAll } = serverPool();
const cleanups: (() => void)[] = [];
afterEach(async () => {
  await closeAll();
  for (const cleanup of cleanups.splice(0)) cleanup();
});

interface Transport {
  name: string;
  available: boolean;
  listen: () => ListenOptions;
  connect: (server: Server) => ConnectOptions;
}

const transports: Transport[] = [
  {
    name: 'TCP over IPv4 (127.0.0.1)',
    available: true,
    listen: () => ({ port: 0 }),
    connect: (server) => ({ port: portOf(server) }),
  },
  {
    name: 'TCP over IPv6 (::1)',
    available: ipv6,
    listen: () => ({ host: '::1', port: 0 }),
    connect: (server) => ({ host: '::1', port: portOf(server) }),
  },
  {
    name: 'Unix domain socket',
    available: process.platform !== 'win32',
    listen: () => {
      const { dir, remove } = tempDir();
      cleanups.push(remove);
      return { path: join(dir, 'echo.sock') };
    },
    connect: (server) => ({ path: server.address.family === 'unix' ? server.address.path : '' }),
  },
  {
    name: 'TLS over 127.0.0.1',
    available: true,
    listen: () => ({ port: 0, tls: serverTls() }),
    connect: (server) => ({ port: portOf(server), tls: { ca: fixture('ca.pem') } }),
  },
];

describe.each(transports.filter((t) => t.available))('$name', (transport) => {
  it('echoes a message and ends cleanly', async () => {
    const server = await serve(transport.listen(), echo);
    const conn = await connect(transport.connect(server));
    await conn.write(bytes('Hey there!!!'));
    await conn.end();
    expect(text(await readAll(conn))).toBe('Hey there!!!');
    await expect(conn.closed).resolves.toBeUndefined();
    expect(conn.error).toBeUndefined();
    expect(conn.isClosed).toBe(true);
  });

  it('echoes 4 MiB of random bytes unchanged, written in many batches', async () => {
    const server = await serve(transport.listen(), echo);
    const conn = await connect(transport.connect(server));
    const payload = randomBytes(4 * 1024 * 1024);
    const received = readAll(conn);
    for (let offset = 0; offset < payload.length; offset += 3 * 16_384) {
      // Three chunks per write call: they go out as one batch.
      await conn.write(
        payload.subarray(offset, offset + 16_384),
        payload.subarray(offset + 16_384, offset + 32_768),
        payload.subarray(offset + 32_768, offset + 49_152),
      );
    }
    await conn.end();
    const echoed = await received;
    expect(echoed.length).toBe(payload.length);
    expect(createHash('sha256').update(echoed).digest('hex')).toBe(createHash('sha256').update(payload).digest('hex'));
    expect(conn.bytesWritten).toBe(payload.length);
    expect(conn.bytesRead).toBe(payload.length);
  });

  it('reports both ends of the connection', async () => {
    const { handler, accepted } = firstConnection();
    const server = await serve(transport.listen(), handler);
    const client = await connect(transport.connect(server));
    const peer = await accepted;
    expect(peer.remoteAddress).toBe(client.localAddress);
    expect(peer.localAddress).toBe(client.remoteAddress);
    expect(peer.remoteEndpoint).toEqual(client.localEndpoint);
    expect(client.encrypted).toBe(transport.name.startsWith('TLS'));
    expect(peer.encrypted).toBe(client.encrypted);
    if (server.address.family === 'unix') {
      expect(client.remoteAddress).toBe(server.address.path);
    } else {
      expect(client.remoteEndpoint).toEqual(server.address);
      expect(client.remoteAddress).toBe(
        server.address.family === 'IPv6' ? `[::1]:${server.address.port}` : `127.0.0.1:${server.address.port}`,
      );
    }
    // The peer sees the FIN once it reads: a clean end.
    await client.end();
    await expect(chunks(peer)).resolves.toEqual([]);
    client.close();
    peer.close();
    await peer.closed;
  });
});

describe('half-close', () => {
  it('lets the server reply after the client has ended its side', async () => {
    const server = await serve({ port: 0 }, async (conn) => {
      // Read the whole request (until the client's FIN), then answer.
      const request = text(await readAll(conn));
      await conn.write(bytes(`got ${request.length} bytes: ${request}`));
      await conn.end();
    });
    const conn = await connect({ port: portOf(server) });
    await conn.write(bytes('ping'), bytes('-pong'));
    await conn.end();
    expect(text(await readAll(conn))).toBe('got 9 bytes: ping-pong');
    await conn.closed;
  });

  it('lets the client keep reading after it ended its side, until the server ends', async () => {
    const { handler, accepted } = firstConnection();
    const server = await serve({ port: 0 }, handler);
    const conn = await connect({ port: portOf(server) });
    const peer = await accepted;
    await conn.end();
    const peerReadDone = chunks(peer);
    await expect(peerReadDone).resolves.toEqual([]);
    // The server's side is still open: it sends after the client's FIN.
    await peer.write(bytes('late '), bytes('reply'));
    await peer.end();
    expect(text(await readAll(conn))).toBe('late reply');
    await Promise.all([conn.closed, peer.closed]);
  });

  it('ends once: end() returns the same promise and write() after it fails', async () => {
    const server = await serve({ port: 0 }, echo);
    const conn = await connect({ port: portOf(server) });
    const ended = conn.end();
    expect(conn.end()).toBe(ended);
    await ended;
    await expect(conn.write(bytes('x'))).rejects.toMatchObject({ code: 'ERR_CONNECTION_CLOSED', message: 'cannot write after end()' });
    expect(() => conn.send(bytes('x'))).toThrow('cannot write after end()');
    await readAll(conn);
  });
});

describe('chunks that are not bytes', () => {
  it('are refused with a TypeError before anything is written, in write() and send()', async () => {
    const { handler, accepted } = firstConnection();
    const server = await serve({ port: 0 }, handler);
    const conn = await connect({ port: portOf(server) });
    const peer = await accepted;
    const asBytes = (value: unknown): Uint8Array => value as Uint8Array;
    // Among other chunks, Node would send a string as zero bytes; alone, as UTF-8.
    await expect(conn.write(asBytes('abc'), bytes('XY'))).rejects.toThrow(
      new TypeError('chunks must be Uint8Arrays (a Buffer is one); chunk 0 is a string: encode text first (new TextEncoder().encode(text))'),
    );
    await expect(conn.write(asBytes('single'))).rejects.toThrow(TypeError);
    expect(() => conn.send(bytes('ok'), asBytes(new Uint16Array(2)))).toThrow(
      new TypeError('chunks must be Uint8Arrays (a Buffer is one); chunk 1 is a Uint16Array'),
    );
    expect(() => conn.send(asBytes(null))).toThrow(TypeError);
    // The connection is still good, and the peer receives only what was sent as bytes.
    await conn.write(bytes('fine'));
    await conn.end();
    expect(text(await readAll(peer))).toBe('fine');
    conn.close();
  });
});

describe('iteration', () => {
  it('can be iterated only once', async () => {
    const server = await serve({ port: 0 }, echo);
    const conn = await connect({ port: portOf(server) });
    conn[Symbol.asyncIterator]();
    expect(() => conn[Symbol.asyncIterator]()).toThrow(TypeError);
    conn.close();
  });

  it('stops reading on break but keeps the connection open for writing', async () => {
    const { handler, accepted } = firstConnection();
    const server = await serve({ port: 0 }, handler);
    const conn = await connect({ port: portOf(server) });
    const peer = await accepted;
    await peer.write(bytes('first'));
    for await (const chunk of conn) {
      expect(text(chunk)).toBe('first');
      break;
    }
    expect(conn.isClosed).toBe(false);
    await conn.write(bytes('still writable'));
    await conn.end();
    expect(text(await readAll(peer))).toBe('still writable');
    peer.close();
    await conn.closed;
  });

  it('return() settles a next() still waiting beside it, as done', async () => {
    const { handler, accepted } = firstConnection();
    const server = await serve({ port: 0 }, handler);
    const conn = await connect({ port: portOf(server) });
    const peer = await accepted;
    const iterator = conn[Symbol.asyncIterator]();
    const waiting = iterator.next();
    await expect(iterator.return!()).resolves.toEqual({ done: true, value: undefined });
    const timeout = new Promise((resolve) => {
      setTimeout(() => {
        resolve('still waiting');
      }, 2000);
    });
    const settled = await Promise.race([waiting, timeout]);
    expect(settled).toEqual({ done: true, value: undefined });
    // Reading stopped; writing goes on.
    await conn.write(bytes('after'));
    await conn.end();
    expect(text(await readAll(peer))).toBe('after');
    peer.close();
    await conn.closed;
  });

  it('ends the loop without error when closed locally', async () => {
    const { handler, accepted } = firstConnection();
    const server = await serve({ port: 0 }, handler);
    const conn = await connect({ port: portOf(server) });
    await accepted;
    const reading = chunks(conn);
    conn.close();
    await expect(reading).resolves.toEqual([]);
    await expect(conn.closed).resolves.toBeUndefined();
    await expect(conn.write(bytes('x'))).rejects.toMatchObject({ code: 'ERR_CONNECTION_CLOSED' });
  });

  it('throws the error given to close() from the loop and from closed', async () => {
    const { handler, accepted } = firstConnection();
    const server = await serve({ port: 0 }, handler);
    const conn = await connect({ port: portOf(server) });
    await accepted;
    const reading = chunks(conn);
    const reason = new Error('protocol violation');
    conn.close(reason);
    await expect(reading).rejects.toBe(reason);
    await expect(conn.closed).rejects.toBe(reason);
    expect(conn.error).toBe(reason);
  });
});
