import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ConnectionRefusedError,
  ServerClosedError,
  connect,
  listen,
  type Connection,
  type ListenOptions,
  type Server,
} from '../src/index.js';
import { abortiveEnd, bytes, chunks, echo, firstConnection, portOf, readAll, tempDir, text, until } from './helpers.js';

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

/** Sends `message`, half-closes, and returns everything the server sent back. */
async function roundTrip(port: number, message: string): Promise<string> {
  const conn = await connect({ port });
  await conn.write(bytes(message));
  await conn.end();
  const reply = text(await readAll(conn));
  await conn.closed;
  return reply;
}

describe('listen', () => {
  it('binds to 127.0.0.1 on a free port by default', async () => {
    const server = await serve({}, echo);
    expect(server.address).toMatchObject({ family: 'IPv4', host: '127.0.0.1' });
    expect(portOf(server)).toBeGreaterThan(0);
  });

  it('serves 50 clients at once', async () => {
    const server = await serve({ port: 0 }, echo);
    const replies = await Promise.all(Array.from({ length: 50 }, (_, i) => roundTrip(portOf(server), `client ${i}`)));
    expect(replies).toEqual(Array.from({ length: 50 }, (_, i) => `client ${i}`));
  });

  it('counts open connections', async () => {
    const server = await serve({ port: 0 }, echo);
    expect(server.connections).toBe(0);
    const a = await connect({ port: portOf(server) });
    const b = await connect({ port: portOf(server) });
    await until(() => server.connections === 2, 'two connections');
    a.close();
    await until(() => server.connections === 1, 'one connection');
    b.close();
    await until(() => server.connections === 0, 'no connection');
  });

  it('removes its Unix socket file on close', async () => {
    const { dir, remove } = tempDir();
    cleanups.push(remove);
    const path = join(dir, 'server.sock');
    const server = await listen({ path }, echo);
    expect(server.address).toEqual({ family: 'unix', path });
    expect(existsSync(path)).toBe(true);
    await server.close();
    expect(existsSync(path)).toBe(false);
  });
});

describe('handler errors', () => {
  it.each([
    {
      kind: 'a synchronous throw',
      handler: (): void => {
        throw new Error('bad frame');
      },
    },
    {
      kind: 'a rejection',
      handler: async (conn: Connection): Promise<void> => {
        for await (const _ of conn) throw new Error('bad frame');
      },
    },
  ])('$kind closes that connection, reports it, and the server goes on', async ({ handler }) => {
    const reported: { error: Error; connection: Connection | undefined }[] = [];
    let calls = 0;
    const server = await serve(
      {
        port: 0,
        onError: (error, connection) => {
          reported.push({ error, connection });
        },
      },
      async (conn) => {
        calls++;
        if (calls === 1) return handler(conn);
        return echo(conn);
      },
    );
    const bad = await connect({ port: portOf(server) });
    await bad.write(bytes('garbage'));
    // The server destroyed the connection, maybe before reading 'garbage' (then it sent RST).
    expect(['end', 'reset']).toContain(await abortiveEnd(bad));
    await until(() => reported.length === 1, 'the error to be reported');
    expect(reported[0]!.error.message).toBe('bad frame');
    expect(reported[0]!.connection?.remoteAddress).toBe(bad.localAddress);
    await expect(reported[0]!.connection?.closed).rejects.toThrow('bad frame');
    bad.close();

    expect(await roundTrip(portOf(server), 'next client')).toBe('next client');
  });

  it('logs one line to stderr when no onError is given', async () => {
    const logged: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((line: unknown) => {
      logged.push(String(line));
    });
    const server = await listen({ port: 0 }, () => {
      throw new Error('handler broke');
    });
    servers.push(server);
    const conn = await connect({ port: portOf(server) });
    await until(() => logged.length === 1, 'the log line');
    expect(logged[0]).toBe(`framewire transport (${conn.localAddress}): handler broke`);
    conn.close();
  });

  it('survives an onError hook that throws', async () => {
    const server = await serve(
      {
        port: 0,
        onError: () => {
          throw new Error('hook broke too');
        },
      },
      () => {
        throw new Error('handler broke');
      },
    );
    const conn = await connect({ port: portOf(server) });
    await expect(chunks(conn)).resolves.toEqual([]);
    const again = await connect({ port: portOf(server) });
    await expect(chunks(again)).resolves.toEqual([]);
    conn.close();
    again.close();
  });
});

describe('maxConnections', () => {
  it('closes connections beyond the limit at once, counts them, and accepts again when one closes', async () => {
    const server = await serve({ port: 0, maxConnections: 2 }, echo);
    const port = portOf(server);
    const a = await connect({ port });
    const b = await connect({ port });
    await until(() => server.connections === 2, 'two connections');

    // The kernel completes the handshake, then the server closes the extra socket unread.
    const extra = await connect({ port });
    await expect(chunks(extra).catch((e: unknown) => (e as { code?: string }).code)).resolves.toSatisfy(
      (result) => Array.isArray(result) ? result.length === 0 : result === 'ERR_CONNECTION_RESET',
    );
    await until(() => server.refusedConnections === 1, 'the refusal to be counted');
    expect(server.connections).toBe(2);

    // Both admitted clients are still served.
    await a.write(bytes('a'));
    await b.write(bytes('b'));
    const [ra, rb] = await Promise.all([a, b].map(async (c) => {
      for await (const chunk of c) return text(chunk);
      return '';
    }));
    expect([ra, rb]).toEqual(['a', 'b']);

    a.close();
    await until(() => server.connections === 1, 'a to be gone');
    expect(await roundTrip(port, 'room again')).toBe('room again');
    expect(server.refusedConnections).toBe(1);
    b.close();
  });
});

describe('close', () => {
  it('stops accepting at once', async () => {
    const server = await serve({ port: 0 }, echo);
    const port = portOf(server);
    const open = await connect({ port });
    const closing = server.close({ graceMs: 10_000 });
    expect(server.signal.aborted).toBe(true);
    await expect(connect({ port })).rejects.toBeInstanceOf(ConnectionRefusedError);
    await open.end();
    await readAll(open);
    await closing;
  });

  it('lets a connection finish within the grace period', async () => {
    const { handler, accepted } = firstConnection();
    const server = await serve({ port: 0 }, handler);
    const client = await connect({ port: portOf(server) });
    const peer = await accepted;
    // The handler's work: when the server starts closing, it sends its last words and ends.
    server.signal.addEventListener('abort', () => {
      void (async () => {
        await peer.write(bytes('goodbye'));
        await peer.end();
        await readAll(peer);
      })();
    });
    let closed = false;
    const closing = server.close({ graceMs: 10_000 }).then(() => {
      closed = true;
    });
    expect(text(await readAll(client))).toBe('goodbye');
    expect(closed).toBe(false);
    await client.end();
    await closing;
    await expect(peer.closed).resolves.toBeUndefined();
    expect(peer.error).toBeUndefined();
    expect(server.connections).toBe(0);
  });

  it('destroys a connection still open when the grace period ends, with ServerClosedError', async () => {
    const handlerErrors: unknown[] = [];
    const server = await serve({ port: 0 }, async (conn) => {
      try {
        for await (const chunk of conn) await conn.write(chunk);
      } catch (error) {
        handlerErrors.push(error);
      }
    });
    const client = await connect({ port: portOf(server) });
    await until(() => server.connections === 1, 'the connection');
    // The client never ends: only the grace period can end this connection.
    await server.close({ graceMs: 50 });
    expect(server.connections).toBe(0);
    expect(handlerErrors).toHaveLength(1);
    expect(handlerErrors[0]).toBeInstanceOf(ServerClosedError);
    expect(handlerErrors[0]).toMatchObject({
      code: 'ERR_SERVER_CLOSED',
      message: 'server closed: connection destroyed after the 0.05 s grace period',
    });
    await expect(chunks(client)).resolves.toEqual([]);
    client.close();
  });

  it('returns the same promise when called twice, and resolves at once with no connection', async () => {
    const server = await serve({ port: 0 }, echo);
    const first = server.close();
    expect(server.close()).toBe(first);
    await first;
  });

  it('rejects a bad grace period', async () => {
    const server = await serve({ port: 0 }, echo);
    await expect(server.close({ graceMs: -1 })).rejects.toThrow(
      'graceMs must be a number of milliseconds from 0 to 2147483647 (got -1)',
    );
  });
});
