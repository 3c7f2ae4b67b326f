/**
 * framewire's side of the TCP cells: the u32be strategy over `@framewire/transport`, used
 * the way its READMEs show — `write(...encoder.encode(payload))`, a `Deframer` fed from
 * `for await (const chunk of conn)`, `decodeFramesAsync` for the ping-pong.
 */
import { Deframer, decodeFramesAsync } from '@framewire/chunk-buffer';
import { frameReads, u32be } from '@framewire/header';
import { connect, listen, type Connection } from '@framewire/transport';
import type { FramewireTcpImpl } from './cells.js';
import { BATCH, HOST, type PeerData, type PeerMessage, type TcpPlan } from './tcp-shared.js';
import type { PingClient, Receive } from './tcp.js';

/** Block size of the `framewire-arena` and `framewire-ring` receivers: room for 16 frames of 64 KiB. */
const RECV_ARENA = 1024 * 1024;

/**
 * Receives u32be frames from one connection into `tally`. `framewire-frames`:
 * `decodeFramesAsync`, which lays out the reads (`frameReads`), so each frame is memory of its
 * own. The others feed a `Deframer` the connection's chunks. `framewire`: the connection's own
 * reads, a frame that spans reads copied into a new array. `framewire-arena`: reads into 1 MiB
 * blocks (`recvArena`), so such a frame is a view of its block. `framewire-borrowed`: the
 * connection's own reads, such a frame copied into one reused array (the tally reads each frame
 * inside the callback). `framewire-reads`: reads laid out by `frameReads` given to `connect`.
 * `framewire-ring`: borrowed frames, read round one 1 MiB block (`reuseArena`), views of it.
 */
export function framewireReceiver(impl: FramewireTcpImpl): Receive {
  const strategy = u32be();
  return async (port, tally) => {
    const deframer = new Deframer(strategy, { borrowed: impl === 'framewire-borrowed' || impl === 'framewire-ring' });
    const blocks =
      impl === 'framewire-arena'
        ? { recvArena: RECV_ARENA }
        : impl === 'framewire-ring'
          ? { recvArena: RECV_ARENA, reuseArena: () => deframer.bufferedBytes }
          : impl === 'framewire-reads'
            ? { recvInto: frameReads(strategy) }
            : {};
    const conn = await connect({ host: HOST, port, ...blocks });
    const started = performance.now();
    if (impl === 'framewire-frames') {
      for await (const frame of decodeFramesAsync(conn, strategy)) tally.add(frame);
    } else {
      const onFrame = (frame: Uint8Array): void => {
        tally.add(frame);
      };
      for await (const chunk of conn) deframer.push(chunk, onFrame);
      deframer.end(onFrame);
    }
    const ms = performance.now() - started;
    await conn.end();
    return ms;
  };
}

/** A ping-pong client over framewire. */
export async function framewireClient(port: number): Promise<PingClient> {
  const conn = await connect({ host: HOST, port });
  const encoder = u32be().createEncoder();
  const frames = decodeFramesAsync(conn, u32be())[Symbol.asyncIterator]();
  return {
    async roundTrip(payload) {
      await conn.write(...encoder.encode(payload));
      const reply = await frames.next();
      if (reply.done === true) throw new Error('connection ended before the reply');
      return reply.value;
    },
    close: async () => {
      conn.close();
      await conn.closed;
    },
  };
}

/** The worker side of the ping-pong: an echo server on a free port, which it resolves with. */
export async function framewireEcho(): Promise<number> {
  const strategy = u32be();
  const server = await listen({ host: HOST, port: 0 }, async (conn) => {
    const encoder = strategy.createEncoder();
    for await (const frame of decodeFramesAsync(conn, strategy)) await conn.write(...encoder.encode(frame));
    await conn.end();
  });
  if (server.address.family === 'unix') throw new Error('expected a TCP address');
  return server.address.port;
}

/**
 * The worker side of the throughput scenarios: the sender (bulk, small), listening on a free
 * port, sending on each connection it accepts and posting `done` once the receiver has closed it.
 */
export async function framewirePeer(
  data: PeerData,
  plan: TcpPlan,
  pool: readonly Uint8Array[],
  post: (message: PeerMessage) => void,
): Promise<void> {
  const strategy = u32be();
  const server = await listen({ host: HOST, port: 0 }, async (conn) => {
    try {
      const encoder = strategy.createEncoder();
      if (data.scenario === 'bulk') {
        for (let i = 0; i < plan.frames; i++) await conn.write(...encoder.encode(pool[i % pool.length]!));
      } else {
        await sendBatches(conn, plan, pool, encoder.encode.bind(encoder));
      }
      await conn.end();
      // The connection closes once the peer's FIN is read, and a connection reads only while
      // iterated: drain it (the receiver sends nothing back).
      for await (const _chunk of conn) {
        // nothing to read
      }
      post({ type: 'done' });
    } catch (error) {
      // Fails the worker: the cell reports it.
      setImmediate(() => {
        throw error;
      });
    }
  });
  if (server.address.family === 'unix') throw new Error('expected a TCP address');
  post({ type: 'listening', port: server.address.port });
}

/** Small frames: the parts of `BATCH` frames collected, then one `write` for the batch. */
async function sendBatches(
  conn: Connection,
  plan: TcpPlan,
  pool: readonly Uint8Array[],
  encode: (payload: Uint8Array) => Uint8Array[],
): Promise<void> {
  for (let i = 0; i < plan.frames; ) {
    const end = Math.min(i + BATCH, plan.frames);
    const parts: Uint8Array[] = [];
    for (; i < end; i++) for (const part of encode(pool[i % pool.length]!)) parts.push(part);
    await conn.write(...parts);
  }
}
