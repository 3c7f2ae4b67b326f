import net from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AbortedError,
  AddressInUseError,
  ConnectionRefusedError,
  ConnectionResetError,
  ConnectTimeoutError,
  HostNotFoundError,
  IdleTimeoutError,
  SocketError,
  SocketNotFoundError,
  connect,
  listen,
  type Connection,
  type Server,
} from '../src/index.js';
import { bytes, chunks, firstConnection, nextImmediate, portOf, releasedPort, tempDir, text, until } from './helpers.js';

const servers: Server[] = [];
const rawServers: net.Server[] = [];
const cleanups: (() => void)[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close({ graceMs: 0 })));
  await Promise.all(
    rawServers.splice(0).map(
      (s) =>
        new Promise<void>((resolve) => {
          s.close(() => {
            resolve();
          });
        }),
    ),
  );
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** A plain Node server the test drives by hand: a peer that misbehaves on purpose. */
async function rawServer(onSocket: (socket: net.Socket) => void = () => undefined): Promise<{ port: number; sockets: net.Socket[] }> {
  const sockets: net.Socket[] = [];
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    sockets.push(socket);
    onSocket(socket);
  });
  rawServers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.on('close', () => {
    for (const socket of sockets) socket.destroy();
  });
  const port = (server.address() as net.AddressInfo).port;
  // Closing the server must not wait for sockets the test left open.
  const close = server.close.bind(server);
  server.close = (callback?: (error?: Error) => void) => {
    for (const socket of sockets) socket.destroy();
    return close(callback);
  };
  return { port, sockets };
}

describe('connect errors', () => {
  it('connection refused: ConnectionRefusedError naming the address', async () => {
    const port = await releasedPort();
    const error = await connect({ port }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionRefusedError);
    expect(error).toMatchObject({
      code: 'ERR_CONNECTION_REFUSED',
      message: `connection refused by 127.0.0.1:${port}`,
      address: `127.0.0.1:${port}`,
      cause: { code: 'ECONNREFUSED' },
    });
  });

  it('missing Unix socket: SocketNotFoundError naming the path', async () => {
    const { dir, remove } = tempDir();
    cleanups.push(remove);
    const path = join(dir, 'nobody-here.sock');
    const error = await connect({ path }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SocketNotFoundError);
    expect(error).toMatchObject({ code: 'ERR_SOCKET_NOT_FOUND', message: `no Unix socket at ${path}`, cause: { code: 'ENOENT' } });
  });

  it('connect timeout during a TLS handshake the server never answers', async () => {
    // The TCP connection is accepted (loopback always accepts), but the peer never speaks
    // TLS, so the connection is never up: the timeout covers the handshake too.
    const { port } = await rawServer();
    const error = await connect({ port, tls: true, connectTimeout: 50 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectTimeoutError);
    expect(error).toMatchObject({
      code: 'ERR_CONNECT_TIMEOUT',
      message: `timed out after 0.05 s connecting to 127.0.0.1:${port}`,
      timeout: 50,
    });
  });

  it('connect timeout on TCP: a 1 ms deadline that passes before the connection is reported', async () => {
    // Loopback connects in microseconds, so a TCP connect timeout cannot happen honestly
    // here. Instead the deadline is made to pass first: from the event loop's check phase,
    // start connecting, then keep the loop busy for 5 ms. The next loop turn runs expired
    // timers before it polls for the finished connect, so the 1 ms timeout fires first.
    const { port } = await rawServer();
    await nextImmediate();
    const attempt = connect({ port, connectTimeout: 1 }).catch((e: unknown) => e);
    const start = performance.now();
    while (performance.now() - start < 5) {
      // Busy: the connect completes in the kernel, but nobody looks yet.
    }
    const error = await attempt;
    expect(error).toBeInstanceOf(ConnectTimeoutError);
    expect(error).toMatchObject({ message: `timed out after 0.001 s connecting to 127.0.0.1:${port}` });
  });

  it('an aborted signal stops the attempt with AbortedError carrying the reason', async () => {
    const { port, sockets } = await rawServer();
    const already = await connect({ port, signal: AbortSignal.abort(new Error('user gave up')) }).catch((e: unknown) => e);
    expect(already).toBeInstanceOf(AbortedError);
    expect(already).toMatchObject({ code: 'ERR_ABORTED', cause: { message: 'user gave up' } });

    // Aborted while the (never answered) TLS handshake is under way.
    const controller = new AbortController();
    const attempt = connect({ port, tls: true, connectTimeout: 0, signal: controller.signal }).catch((e: unknown) => e);
    await until(() => sockets.length === 1, 'the TCP connection to be accepted');
    controller.abort(new Error('stop'));
    const error = await attempt;
    expect(error).toBeInstanceOf(AbortedError);
    expect(error).toMatchObject({ message: `connecting to 127.0.0.1:${port} was aborted`, cause: { message: 'stop' } });
  });
});

describe('listen errors', () => {
  it('address in use: AddressInUseError naming the address', async () => {
    const first = await listen({ port: 0 }, () => undefined);
    servers.push(first);
    const port = portOf(first);
    const error = await listen({ port }, () => undefined).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AddressInUseError);
    expect(error).toMatchObject({ code: 'ERR_ADDRESS_IN_USE', message: `address already in use: 127.0.0.1:${port}`, cause: { code: 'EADDRINUSE' } });
  });

  it('Unix socket path in use: AddressInUseError naming the path', async () => {
    const { dir, remove } = tempDir();
    cleanups.push(remove);
    const path = join(dir, 'taken.sock');
    servers.push(await listen({ path }, () => undefined));
    const error = await listen({ path }, () => undefined).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AddressInUseError);
    expect(error).toMatchObject({ message: `address already in use: ${path}` });
  });
});

describe('host not found', () => {
  // Not a valid host name (a space, a '!'): the system's resolver refuses it without asking
  // any DNS server, so nothing leaves the machine.
  const host = 'bad host name!';

  it('connect: HostNotFoundError naming the host, quoted, without the port', async () => {
    const error = await connect({ host, port: 1234 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HostNotFoundError);
    expect(error).toMatchObject({ code: 'ERR_HOST_NOT_FOUND', message: 'host not found: "bad host name!"', host });
  });

  it('listen (port 0): the same message; the port is not read as part of the host', async () => {
    const error = await listen({ host, port: 0 }, () => undefined).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HostNotFoundError);
    expect(error).toMatchObject({ code: 'ERR_HOST_NOT_FOUND', message: 'host not found: "bad host name!"', host });
  });
});

describe('listen in a missing directory', () => {
  // libuv reports EACCES here (ENOENT elsewhere); either way it is no missing-socket error.
  it('is a SocketError naming the path, not a SocketNotFoundError', async () => {
    const { dir, remove } = tempDir();
    cleanups.push(remove);
    const path = join(dir, 'no-such-dir', 'x.sock');
    const error = await listen({ path }, () => undefined).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SocketError);
    expect(error).toMatchObject({ code: 'ERR_SOCKET', syscallCode: expect.stringMatching(/^(EACCES|ENOENT)$/) as unknown });
    expect((error as Error).message).toMatch(new RegExp(`^socket error on ${path}: `));
  });
});

describe('peer reset', () => {
  it('makes the reader throw ConnectionResetError after every chunk received before it', async () => {
    const { port, sockets } = await rawServer();
    const conn = await connect({ port });
    await until(() => sockets.length === 1, 'the server to accept');
    const peer = sockets[0]!;
    peer.write('partial ');
    const seen: string[] = [];
    const reading = (async () => {
      for await (const chunk of conn) {
        seen.push(text(chunk));
        if (seen.length === 1) {
          // While this chunk is being handled, the rest arrives, then the peer resets.
          peer.write('frame');
          await until(() => conn.bytesRead >= 13, 'the second write to arrive');
          peer.resetAndDestroy();
          await until(() => conn.error !== undefined, 'the reset to arrive');
        }
      }
    })();
    const error = await reading.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionResetError);
    expect(error).toMatchObject({ code: 'ERR_CONNECTION_RESET', message: 'connection reset by peer', cause: { code: 'ECONNRESET' } });
    expect(seen.join('')).toBe('partial frame');
    await expect(conn.closed).rejects.toBe(error);
    expect(conn.error).toBe(error);
  });

  it('makes a write fail with ConnectionResetError', async () => {
    const { port, sockets } = await rawServer();
    const conn = await connect({ port });
    await until(() => sockets.length === 1, 'the server to accept');
    sockets[0]!.resetAndDestroy();
    // Keep writing until the reset surfaces (bounded: the first failed send ends it).
    const chunk = new Uint8Array(1024);
    let error: unknown;
    for (let i = 0; i < 10_000 && error === undefined; i++) {
      try {
        await conn.write(chunk);
        await new Promise((resolve) => setTimeout(resolve, 1));
      } catch (e) {
        error = e;
      }
    }
    expect(error).toBeInstanceOf(ConnectionResetError);
    await expect(conn.closed).rejects.toBeInstanceOf(ConnectionResetError);
  });

  it('an unobserved failure never becomes an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', onUnhandled);
    try {
      const { port, sockets } = await rawServer();
      const conn = await connect({ port });
      await until(() => sockets.length === 1, 'the server to accept');
      // Nobody awaits closed, the write promise or drained(): the connection just fails.
      void conn.drained();
      sockets[0]!.resetAndDestroy();
      conn.send(new Uint8Array(1));
      await until(() => conn.isClosed, 'the connection to close');
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(conn.error).toBeInstanceOf(ConnectionResetError);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });
});

describe('idle timeout', () => {
  it('closes a silent client connection with IdleTimeoutError', async () => {
    const { port } = await rawServer();
    const conn = await connect({ port, idleTimeout: 50 });
    const error = await chunks(conn).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdleTimeoutError);
    expect(error).toMatchObject({ code: 'ERR_IDLE_TIMEOUT', message: 'idle for more than 0.05 s', timeout: 50 });
    await expect(conn.closed).rejects.toBe(error);
  });

  it('closes a silent accepted connection; the server goes on serving', async () => {
    const handlerErrors: unknown[] = [];
    const server = await listen({ port: 0, idleTimeout: 50, onError: () => undefined }, async (conn: Connection) => {
      try {
        for await (const chunk of conn) await conn.write(chunk);
      } catch (error) {
        handlerErrors.push(error);
      }
    });
    servers.push(server);
    const silent = await connect({ port: portOf(server) });
    // The server's timeout closes the connection; the client sees the end.
    await expect(chunks(silent)).resolves.toEqual([]);
    expect(handlerErrors).toHaveLength(1);
    expect(handlerErrors[0]).toBeInstanceOf(IdleTimeoutError);
    silent.close();

    const next = await connect({ port: portOf(server) });
    await next.write(bytes('still serving'));
    const [echoed] = await (async () => {
      for await (const chunk of next) return [text(chunk)];
      return [];
    })();
    expect(echoed).toBe('still serving');
    next.close();
  });
});

describe('server side of a reset', () => {
  it('the handler gets ConnectionResetError and the server goes on', async () => {
    const { handler, accepted } = firstConnection();
    const server = await listen({ port: 0, onError: () => undefined }, handler);
    servers.push(server);
    const raw = net.connect(portOf(server), '127.0.0.1');
    raw.on('error', () => undefined);
    await new Promise((resolve) => raw.once('connect', resolve));
    const peer = await accepted;
    raw.write('half a fr');
    await until(() => peer.bytesRead === 0, 'nothing read before the reader asks');
    const reading = chunks(peer);
    await until(() => peer.bytesRead === 9, 'the bytes to be read');
    raw.resetAndDestroy();
    const error = await reading.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionResetError);
    const again = await connect({ port: portOf(server) });
    expect(again.isClosed).toBe(false);
    again.close();
  });
});
