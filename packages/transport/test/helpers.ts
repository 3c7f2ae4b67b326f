import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { ConnectionResetError, listen, type Connection, type ConnectOptions, type ListenOptions, type RecvMemory, type Server } from '../src/index.js';

/** A test-only PEM file from `test/fixtures` (see the README there). */
export function fixture(name: 'ca.pem' | 'server.pem' | 'server-key.pem' | 'client.pem' | 'client-key.pem'): string {
  return readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
}

export const serverTls = (): { cert: string; key: string } => ({ cert: fixture('server.pem'), key: fixture('server-key.pem') });

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const bytes = (text: string): Uint8Array => encoder.encode(text);
export const text = (chunk: Uint8Array): string => decoder.decode(chunk);

/** Every chunk the connection yields, until it ends. */
export async function chunks(conn: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const chunk of conn) out.push(chunk);
  return out;
}

/**
 * How a connection ends that the peer destroyed without reading everything: with no data,
 * cleanly, or with a `ConnectionResetError` — closing a socket that still holds unread
 * bytes sends RST instead of FIN, and whether that RST or the FIN is seen first is timing.
 */
export async function abortiveEnd(conn: AsyncIterable<Uint8Array>): Promise<'end' | 'reset'> {
  const received = await chunks(conn).catch((error: unknown) => {
    if (error instanceof ConnectionResetError) return 'reset' as const;
    throw error;
  });
  if (received === 'reset') return received;
  expect(received).toEqual([]);
  return 'end';
}

/** Reads the connection to its end, pushing each chunk into `received`; rejects with its error. */
export async function readChunksInto(conn: AsyncIterable<Uint8Array>, received: Uint8Array[]): Promise<void> {
  for await (const chunk of conn) received.push(chunk);
}

/** Everything the connection yields, as one byte array. */
export async function readAll(conn: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  return concat(await chunks(conn));
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** An echo handler: sends every chunk back, then half-closes after the peer did. */
export async function echo(conn: Connection): Promise<void> {
  for await (const chunk of conn) await conn.write(chunk);
  await conn.end();
}

/** The bound TCP port of a server. */
export function portOf(server: Server): number {
  const address = server.address;
  if (address.family === 'unix') throw new Error('not a TCP server');
  return address.port;
}

/** Whether this machine can bind the IPv6 loopback `::1`. */
export async function hasIPv6Loopback(): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => {
      resolve(false);
    });
    probe.listen(0, '::1', () => {
      probe.close(() => {
        resolve(true);
      });
    });
  });
}

/** A port on 127.0.0.1 that was free a moment ago (bound, then released). */
export async function releasedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address() as net.AddressInfo;
      probe.close(() => {
        resolve(address.port);
      });
    });
  });
}

/** A fresh temporary directory and a function that removes it. */
export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'framewire-transport-'));
  return {
    dir,
    remove: () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` every `stepMs` until it returns true; throws after `timeoutMs` (bounded). */
export async function until(check: () => boolean, what: string, timeoutMs = 5_000, stepMs = 5): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`gave up after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}

/** Resolves on the next turn of the event loop's check phase. */
export const nextImmediate = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * The servers a test file starts: `serve` listens with `onError` collecting into `errors`, and
 * `closeAll` (for `afterEach`) closes every server started since, with no grace period.
 */
export function serverPool(): {
  serve: (options: ListenOptions, handler: (conn: Connection) => void | Promise<void>) => Promise<Server>;
  errors: Error[];
  closeAll: () => Promise<void>;
} {
  const servers: Server[] = [];
  const errors: Error[] = [];
  return {
    serve: async (options, handler) => {
      const server = await listen({ onError: (error) => errors.push(error), ...options }, handler);
      servers.push(server);
      return server;
    },
    errors,
    closeAll: async () => {
      await Promise.all(servers.splice(0).map((s) => s.close({ graceMs: 0 })));
    },
  };
}

/** A kind of socket to test on: how to listen, and how to connect to that server. */
export interface SocketCase {
  name: string;
  listen: () => ListenOptions;
  connect: (server: Server) => ConnectOptions;
}

export const tcpCase: SocketCase = { name: 'TCP', listen: () => ({ port: 0 }), connect: (s) => ({ port: portOf(s) }) };

/** A Unix socket named `file` in a new temporary directory; `cleanups` gets its removal. */
export function unixSocketCase(cleanups: (() => void)[], file: string): SocketCase {
  return {
    name: 'Unix socket',
    listen: () => {
      const { dir, remove } = tempDir();
      cleanups.push(remove);
      return { path: join(dir, file) };
    },
    connect: (s) => ({ path: s.address.family === 'unix' ? s.address.path : '' }),
  };
}

/**
 * `recvInto` memory that hands out 1,000 to 9,000 bytes in turn, each a view into a larger
 * buffer at an offset, and records what it gave (`given`) and each `filled` count (`reads`).
 */
export function recorder(): RecvMemory & { given: Uint8Array[]; reads: number[] } {
  const given: Uint8Array[] = [];
  const reads: number[] = [];
  return {
    given,
    reads,
    next() {
      const memory = new Uint8Array(1000 * (1 + (given.length % 9)) + 16).subarray(16);
      given.push(memory);
      return memory;
    },
    filled(bytesRead) {
      reads.push(bytesRead);
    },
  };
}

/** A server-side handle the test can drive: resolves with the first accepted connection. */
export function firstConnection(): { handler: (conn: Connection) => void; accepted: Promise<Connection> } {
  let resolve!: (conn: Connection) => void;
  const accepted = new Promise<Connection>((res) => {
    resolve = res;
  });
  return {
    handler: (conn) => {
      resolve(conn);
    },
    accepted,
  };
}

/** Hex of the bytes, for fast equality checks of large arrays (vitest's deep equality is per element). */
export const hex = (data: Uint8Array): string => Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('hex');
