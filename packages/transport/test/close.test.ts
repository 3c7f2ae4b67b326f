import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { connect, type Connection, type ConnectOptions, type ListenOptions, type Server } from '../src/index.js';
import { bytes, chunks, firstConnection, fixture, nextImmediate, portOf, serverPool, serverTls, tempDir, until } from './helpers.js';

const { serve, errors: serverErrors, closeAll } = serverPool();
afterEach(closeAll);
const sockets = tempDir();
afterAll(sockets.remove);
let socketCount = 0;

interface Transport {
  name: string;
  listen: () => ListenOptions;
  connect: (server: Server) => ConnectOptions;
}

const transports: Transport[] = [
  { name: 'TCP', listen: () => ({ port: 0 }), connect: (server) => ({ port: portOf(server) }) },
  {
    name: 'TLS',
    listen: () => ({ port: 0, tls: serverTls() }),
    connect: (server) => ({ port: portOf(server), tls: { ca: fixture('ca.pem') } }),
  },
  {
    name: 'TLS over a Unix socket',
    listen: () => ({ path: join(sockets.dir, `${socketCount++}.sock`), tls: serverTls() }),
    connect: (server) => ({ path: server.address.family === 'unix' ? server.address.path : '', tls: { ca: fixture('ca.pem') } }),
  },
];

/** A connected pair: the client's connection and the server's. */
async function pair(transport: Transport): Promise<{ client: Connection; server: Connection }> {
  const { handler, accepted } = firstConnection();
  const server = await serve(transport.listen(), handler);
  const client = await connect(transport.connect(server));
  return { client, server: await accepted };
}

/**
 * Closes `conn` with `first`, then at once (no await between) with `second`, and checks that
 * the first call decided how it closed: the reader, `closed`, `error` and later writes.
 */
async function closeTwice(conn: Connection, first: Error | undefined, second: Error | undefined): Promise<void> {
  const reading = chunks(conn);
  conn.close(first);
  conn.close(second);
  if (first === undefined) {
    await expect(reading).resolves.toEqual([]);
    await expect(conn.closed).resolves.toBeUndefined();
    await expect(conn.write(bytes('x'))).rejects.toMatchObject({ code: 'ERR_CONNECTION_CLOSED' });
  } else {
    await expect(reading).rejects.toBe(first);
    await expect(conn.closed).rejects.toBe(first);
    await expect(conn.write(bytes('x'))).rejects.toBe(first);
  }
  expect(conn.error).toBe(first);
  expect(conn.isClosed).toBe(true);
}

describe.each(transports)('close() more than once, over $name: the first call decides', (transport) => {
  describe.each(['client', 'server'] as const)('on the %s side', (side) => {
    it('close() then close(error) in the same tick stays a clean close', async () => {
      const ends = await pair(transport);
      await closeTwice(ends[side], undefined, new Error('too late'));
    });

    it('close(error) then close() stays a failed close, with that error', async () => {
      const ends = await pair(transport);
      await closeTwice(ends[side], new Error('protocol violation'), undefined);
    });

    it('close(a) then close(b) fails with a', async () => {
      const ends = await pair(transport);
      await closeTwice(ends[side], new Error('a'), new Error('b'));
    });
  });
});

describe('a handler that closes its connection and then throws', () => {
  it.each(transports)('over $name: the connection stays cleanly closed; onError is still told', async (transport) => {
    serverErrors.length = 0;
    let accepted: Connection | undefined;
    const failure = new Error('handler broke after closing');
    const server = await serve(transport.listen(), (conn) => {
      accepted = conn;
      conn.close();
      throw failure;
    });
    const client = await connect(transport.connect(server));
    await until(() => serverErrors.length === 1, 'the handler error to be reported');
    expect(serverErrors[0]).toBe(failure);
    await expect(accepted!.closed).resolves.toBeUndefined();
    expect(accepted!.error).toBeUndefined();
    client.close();
  });
});

describe.each(transports)('a write under way when the connection is destroyed, over $name', (transport) => {
  // The peer never reads, so a 32 MiB write cannot be done when the connection goes.
  const big = (): Uint8Array => new Uint8Array(32 * 1024 * 1024);

  it('rejects with ConnectionClosedError after a local close(), instead of resolving', async () => {
    const { client } = await pair(transport);
    const writing = client.write(big());
    await until(() => client.bytesWritten > 0, 'the write to start');
    client.close();
    await expect(writing).rejects.toMatchObject({ code: 'ERR_CONNECTION_CLOSED', message: 'connection closed before the write completed' });
    await expect(client.closed).resolves.toBeUndefined();
  });

  it('rejects with the error given to close(error)', async () => {
    const { server } = await pair(transport);
    const writing = server.write(big());
    const failure = new Error('gave up');
    server.close(failure);
    await expect(writing).rejects.toBe(failure);
  });

  it('rejects with ServerClosedError in a handler when Server.close runs out of grace', async () => {
    let writing: Promise<void> | undefined;
    const server = await serve(transport.listen(), (conn) => {
      writing = conn.write(big());
    });
    const client = await connect(transport.connect(server));
    await until(() => writing !== undefined, 'the handler to write');
    await server.close({ graceMs: 20 });
    await expect(writing).rejects.toMatchObject({ code: 'ERR_SERVER_CLOSED' });
    client.close();
  });

  it('a small write that reached the socket before close() still resolves', async () => {
    const { client, server } = await pair(transport);
    const writing = client.write(bytes('hello'));
    client.close();
    await expect(writing).resolves.toBeUndefined();
    server.close();
  });

  it('a small write that reached the socket before close(error) still resolves: the error is not the write\'s', async () => {
    const { client, server } = await pair(transport);
    const writing = client.write(bytes('hello'));
    const failure = new Error('done with it');
    client.close(failure);
    await expect(writing).resolves.toBeUndefined();
    await expect(client.closed).rejects.toBe(failure);
    server.close();
  });
});

describe.each(transports)('drained() after end(), over $name', (transport) => {
  // The peer does not read, so 32 MiB cannot leave while the test looks.
  const big = (): Uint8Array => new Uint8Array(32 * 1024 * 1024);

  /** Whether a promise has settled after a few turns of the event loop (it records how). */
  function watch(promise: Promise<void>): { settled: () => string | undefined } {
    let outcome: string | undefined;
    promise.then(
      () => (outcome = 'resolved'),
      () => (outcome = 'rejected'),
    );
    return { settled: () => outcome };
  }

  it('waits for the bytes end() flushes: a close before they are out rejects it', async () => {
    const { client } = await pair(transport);
    expect(client.send(big())).toBe(false);
    const ending = client.end();
    const drained = client.drained();
    const state = watch(drained);
    for (let i = 0; i < 5; i++) await nextImmediate();
    // Nothing has been read: the bytes are still queued, so nothing is drained yet.
    expect(state.settled()).toBeUndefined();
    client.close();
    await expect(drained).rejects.toMatchObject({ code: 'ERR_CONNECTION_CLOSED', message: 'connection closed before the send buffer drained' });
    await expect(ending).rejects.toMatchObject({ code: 'ERR_CONNECTION_CLOSED', message: 'connection closed before end() completed' });
  });

  it('rejects with the error of a close(error) before the bytes are out', async () => {
    const { client } = await pair(transport);
    client.send(big());
    void client.end();
    const drained = client.drained();
    const failure = new Error('gave up');
    client.close(failure);
    await expect(drained).rejects.toBe(failure);
  });

  it('resolves once end() has flushed everything, and at once after that', async () => {
    const { client, server } = await pair(transport);
    client.send(big());
    const ending = client.end();
    const drained = client.drained();
    const received = await chunks(server);
    expect(received.reduce((n, chunk) => n + chunk.length, 0)).toBe(32 * 1024 * 1024);
    await expect(drained).resolves.toBeUndefined();
    await expect(ending).resolves.toBeUndefined();
    await expect(client.drained()).resolves.toBeUndefined();
    server.close();
  });

  it('rejects once the connection is closed, like write()', async () => {
    const { client, server } = await pair(transport);
    await client.end();
    client.close();
    await expect(client.drained()).rejects.toMatchObject({ code: 'ERR_CONNECTION_CLOSED', message: 'connection is closed' });
    await expect(client.write(bytes('x'))).rejects.toMatchObject({ code: 'ERR_CONNECTION_CLOSED' });
    server.close();
  });
});
