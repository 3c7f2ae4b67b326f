import net from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { connect, listen, type Connection, type ConnectOptions, type ListenOptions, type Server } from '../src/index.js';
import { bytes, chunks, concat, fixture, hex, portOf, serverTls, tempDir, text } from './helpers.js';

const servers: Server[] = [];
const cleanups: (() => void)[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(servers.splice(0).map((s) => s.close({ graceMs: 0 })));
  for (const cleanup of cleanups.splice(0)) cleanup();
});

async function serve(options: ListenOptions, handler: (conn: Connection) => void | Promise<void>): Promise<Server> {
  const server = await listen({ onError: () => undefined, ...options }, handler);
  servers.push(server);
  return server;
}

/** The tutorial's server: sends one message in one write, then ends. */
const hello = async (conn: Connection): Promise<void> => {
  await conn.write(bytes('Hey there!!!'));
  await conn.end();
};

describe('recvSize on connect (a fixed receive buffer, like recv(8))', () => {
  const cases: { name: string; listen: () => ListenOptions; connect: (server: Server) => ConnectOptions }[] = [
    { name: 'TCP', listen: () => ({ port: 0 }), connect: (s) => ({ port: portOf(s) }) },
    {
      name: 'TLS',
      listen: () => ({ port: 0, tls: serverTls() }),
      connect: (s) => ({ port: portOf(s), tls: { ca: fixture('ca.pem') } }),
    },
    {
      name: 'Unix socket',
      listen: () => {
        const { dir, remove } = tempDir();
        cleanups.push(remove);
        return { path: join(dir, 'hello.sock') };
      },
      connect: (s) => ({ path: s.address.family === 'unix' ? s.address.path : '' }),
    },
  ];

  it.each(cases)('reads "Hey there!!!" as "Hey ther" then "e!!!" ($name)', async (c) => {
    const server = await serve(c.listen(), hello);
    const conn = await connect({ ...c.connect(server), recvSize: 8 });
    const received = await chunks(conn);
    expect(received.map(text)).toEqual(['Hey ther', 'e!!!']);
    conn.close();
  });

  it('never yields more than recvSize bytes, and loses none', async () => {
    const message = bytes('0123456789'.repeat(1000));
    const server = await serve({ port: 0 }, async (conn) => {
      await conn.write(message);
      await conn.end();
    });
    const conn = await connect({ port: portOf(server), recvSize: 7 });
    const received = await chunks(conn);
    expect(received.every((chunk) => chunk.length >= 1 && chunk.length <= 7)).toBe(true);
    expect(received.length).toBeGreaterThanOrEqual(Math.ceil(message.length / 7));
    expect(hex(concat(received))).toBe(hex(message));
  });

  it('hands out copies: a chunk kept by the reader is not overwritten by later reads', async () => {
    const server = await serve({ port: 0 }, async (conn) => {
      await conn.write(bytes('AAAABBBBCCCC'));
      await conn.end();
    });
    const conn = await connect({ port: portOf(server), recvSize: 4 });
    const kept: Uint8Array[] = [];
    for await (const chunk of conn) kept.push(chunk);
    expect(kept.map(text)).toEqual(['AAAA', 'BBBB', 'CCCC']);
  });
});

describe('recvSize on listen (reads split into views of recvSize bytes)', () => {
  it('reads "Hey there!!!" as "Hey ther" then "e!!!"', async () => {
    let received: Promise<Uint8Array[]> | undefined;
    const server = await serve({ port: 0, recvSize: 8 }, (conn) => {
      received = chunks(conn);
      void received.then(() => conn.end());
    });
    const conn = await connect({ port: portOf(server) });
    await conn.write(bytes('Hey there!!!'));
    await conn.end();
    await chunks(conn);
    expect(received).toBeDefined();
    expect((await received!).map(text)).toEqual(['Hey ther', 'e!!!']);
  });

  it('splits 64 KiB into 8,192 chunks of 8 bytes without losing a byte', async () => {
    const message = new Uint8Array(65_536).map((_, i) => i % 251);
    let received: Promise<Uint8Array[]> | undefined;
    const server = await serve({ port: 0, recvSize: 8 }, (conn) => {
      received = chunks(conn);
      void received.then(() => conn.end());
    });
    const conn = await connect({ port: portOf(server) });
    await conn.write(message);
    await conn.end();
    await chunks(conn);
    const got = await received!;
    expect(got.every((chunk) => chunk.length <= 8)).toBe(true);
    expect(got.length).toBeGreaterThanOrEqual(8_192);
    expect(hex(concat(got))).toBe(hex(message));
  });
});

describe('batched writes', () => {
  it('sends the chunks of one write() in one socket write (writev), not one write each', async () => {
    let resolve!: (chunk: Uint8Array) => void;
    const arrived = new Promise<Uint8Array>((res) => (resolve = res));
    const server = await serve({ port: 0 }, async (conn) => {
      for await (const chunk of conn) resolve(chunk);
    });
    const conn = await connect({ port: portOf(server) });
    const writev = vi.spyOn(net.Socket.prototype as unknown as { _writev: () => void }, '_writev');
    const write = vi.spyOn(net.Socket.prototype as unknown as { _write: () => void }, '_write');
    await conn.write(bytes('header'), bytes('payload'), bytes('\n'));
    expect(writev).toHaveBeenCalledTimes(1);
    expect(write).not.toHaveBeenCalled();
    expect(text(await arrived)).toBe('headerpayload\n');
    conn.close();
  });

  it('send() batches the same way, and an empty batch writes nothing', async () => {
    const server = await serve({ port: 0 }, async (conn) => {
      await chunks(conn);
    });
    const conn = await connect({ port: portOf(server) });
    const writev = vi.spyOn(net.Socket.prototype as unknown as { _writev: () => void }, '_writev');
    expect(conn.send(bytes('a'), bytes('b'))).toBe(true);
    expect(writev).toHaveBeenCalledTimes(1);
    expect(conn.send()).toBe(true);
    expect(conn.send(new Uint8Array(0))).toBe(true);
    expect(writev).toHaveBeenCalledTimes(1);
    conn.close();
  });
});
