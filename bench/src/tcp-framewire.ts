/**
 * framewire's side of the TCP cells: the u32be strategy over `@framewire/transport`, used
 * the way its READMEs show — `write(...encoder.encode(payload))`, a `Deframer` fed from
 * `for await (const chunk of conn)`, `decodeFramesAsync` for the ping-pong.
 */
import { Deframer, decodeFramesAsync } from '@framewire/chunk-buffer';
import { u32be } from '@framewire/header';
import { connect, listen, type Connection } from '@framewire/transport';
import type { Tally } from './tally.js';
import { BATCH, HOST, type PeerData, type PeerMessage, type TcpPlan } from './tcp-shared.js';
import type { PingClient, Receiver } from './tcp.js';

/**
 * Receives u32be frames from one connection into `tally`. `borrowed`: frames that span reads
 * are lent from one reused array (the tally reads each frame inside the callback).
 */
export async function framewireReceiver(tally: Tally, borrowed: boolean): Promise<Receiver> {
  let resolveDone!: (ms: number) => void;
  let rejectDone!: (error: unknown) => void;
  const done = new Promise<number>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });
  const strategy = u32be();
  const server = await listen({ host: HOST, port: 0 }, async (conn) => {
    const started = performance.now();
    try {
      const deframer = new Deframer(strategy, { borrowed });
      const onFrame = (frame: Uint8Array): void => {
        tally.add(frame);
      };
      for await (const chunk of conn) deframer.push(chunk, onFrame);
      deframer.end(onFrame);
      resolveDone(performance.now() - started);
      await conn.end();
    } catch (error) {
      rejectDone(error);
      throw error;
    }
  });
  if (server.address.family === 'unix') throw new Error('expected a TCP address');
  return { port: server.address.port, done, close: () => server.close() };
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

/** The worker side: a sender (bulk, small) or the echo server (ping-pong). */
export async function framewirePeer(
  data: PeerData,
  plan: TcpPlan,
  pool: readonly Uint8Array[],
  post: (message: PeerMessage) => void,
): Promise<void> {
  if (data.scenario === 'pingpong') {
    const strategy = u32be();
    const server = await listen({ host: HOST, port: 0 }, async (conn) => {
      const encoder = strategy.createEncoder();
      for await (const frame of decodeFramesAsync(conn, strategy)) await conn.write(...encoder.encode(frame));
      await conn.end();
    });
    if (server.address.family === 'unix') throw new Error('expected a TCP address');
    post({ type: 'listening', port: server.address.port });
    return;
  }
  if (data.port === undefined) throw new Error('sender needs a port');
  const conn = await connect({ host: HOST, port: data.port });
  const encoder = u32be().createEncoder();
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
