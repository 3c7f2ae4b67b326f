/**
 * The TCP cells, main-thread side. Throughput scenarios: a worker thread listens and sends to
 * each connection it accepts; this thread connects, receives and decodes, timed from the
 * connection being up to the last frame. One worker serves every pass of the process, from
 * the warm-up on, so that both ends run warm code in the timed passes. Receiving on the client
 * side lets a receiver choose the memory its socket reads into (Node's `onread`, which accepted
 * sockets lack). Ping-pong: this thread is the client, the worker echoes. Everything on
 * 127.0.0.1, port 0.
 */
import { once } from 'node:events';
import net from 'node:net';
import { Worker } from 'node:worker_threads';
import type { Job } from './cell.js';
import { isFramewireTcp, type TcpCell } from './cells.js';
import type { Metrics } from './protocol.js';
import { ReferenceU32Decoder } from './reference.js';
import { FixedFrameTally, Tally, expectedOfFrames, mismatch, type Expected } from './tally.js';
import { HOST, PING_BLOCKS, packFrame, planOf, poolOf, type PeerData, type PeerMessage, type TcpPlan } from './tcp-shared.js';

/** How each receiver reads and decodes; resolves with the ms from connected to the end of the stream. */
export type Receive = (port: number, tally: Tally) => Promise<number>;

/** A ping-pong client: sends one frame and resolves with the echoed frame. */
export interface PingClient {
  roundTrip(payload: Uint8Array): Promise<Uint8Array>;
  close(): Promise<void>;
}

interface PingStats {
  p50: number;
  p99: number;
  perSec: number;
  writes: number;
}

export async function prepareTcp(cell: TcpCell, quick: boolean): Promise<Job> {
  const plan = planOf(cell.scenario, quick);
  const pool = poolOf(plan);
  const expected = expectedOfFrames(
    (function* () {
      for (let i = 0; i < plan.frames; i++) yield pool[i % pool.length]!;
    })(),
  );
  // The raw bulk sender writes bare payloads; every other cell writes u32be frames.
  const header = cell.scenario === 'bulk' && cell.impl === 'raw' ? 0 : 4;
  // Ping-pong: each frame goes there and back, once through each of the two implementations.
  const wireBytes = plan.frames * (header + plan.payloadLength) * (cell.scenario === 'pingpong' ? 4 : 1);
  // One peer worker for every pass, started by the first (the warm-up): with a new worker per
  // pass, its code ran cold in each timed pass, which slowed framewire's sender (the transport
  // and the encoder) far more than the raw sender's loop of socket writes.
  let started: Promise<Peer> | undefined;
  const peer = (): Promise<Peer> => (started ??= startPeer({ scenario: cell.scenario, impl: cell.impl, quick }));
  return Promise.resolve({
    expected,
    wireBytes,
    run: async (tally: Tally) =>
      cell.scenario === 'pingpong' ? pingPong(plan, pool, expected, await peer(), tally) : receive(cell, plan, await peer(), tally),
    close: async () => {
      if (started !== undefined) await (await started).close();
    },
  });
}

/**
 * A peer worker, listening on `port` (ping-pong: its raw echo server on `rawPort`); `failed`
 * rejects if it fails or exits before `close` ends it.
 */
interface Peer {
  readonly port: number;
  readonly rawPort: number | undefined;
  readonly worker: Worker;
  readonly failed: Promise<never>;
  close(): Promise<void>;
}

/** Starts a peer worker and resolves once it listens. */
async function startPeer(data: PeerData): Promise<Peer> {
  const worker = new Worker(new URL('./tcp-peer.js', import.meta.url), { workerData: data });
  let closing = false;
  const failed = new Promise<never>((_, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (!closing) reject(new Error(`TCP peer exited (code ${code}) before the cell was done with it`));
    });
  });
  failed.catch(() => undefined);
  const close = async (): Promise<void> => {
    closing = true;
    await worker.terminate();
  };
  try {
    const listening = await Promise.race([messageOf(worker, 'listening'), failed]);
    if (listening.type !== 'listening') throw new Error('unexpected peer message');
    return { port: listening.port, rawPort: listening.rawPort, worker, failed, close };
  } catch (error) {
    await close();
    throw error;
  }
}

function messageOf(worker: Worker, type: PeerMessage['type']): Promise<PeerMessage> {
  return new Promise((resolve) => {
    const onMessage = (message: PeerMessage): void => {
      if (message.type !== type) return;
      worker.off('message', onMessage);
      resolve(message);
    };
    worker.on('message', onMessage);
  });
}

/** One pass: connect to the sender, receive everything, wait for the sender's `done`. */
async function receive(cell: TcpCell, plan: TcpPlan, sender: Peer, tally: Tally): Promise<Metrics> {
  let receiveFrom: Receive;
  if (isFramewireTcp(cell.impl)) {
    const { framewireReceiver } = await import('./tcp-framewire.js');
    receiveFrom = framewireReceiver(cell.impl);
  } else {
    receiveFrom = rawReceiver(cell, plan);
  }
  const finished = messageOf(sender.worker, 'done');
  const ms = await Promise.race([receiveFrom(sender.port, tally), sender.failed]);
  await Promise.race([finished, sender.failed]);
  return { timedMs: ms };
}

/** The raw receivers: bulk counts the bare payloads, small decodes with the reference decoder. */
function rawReceiver(cell: TcpCell, plan: TcpPlan): Receive {
  return async (port, tally) => {
    const socket = net.connect({ host: HOST, port });
    await once(socket, 'connect');
    const started = performance.now();
    let leftover: () => number;
    if (cell.scenario === 'bulk') {
      const frames = new FixedFrameTally(tally, plan.payloadLength);
      socket.on('data', (chunk: Buffer) => {
        frames.push(chunk);
      });
      leftover = () => frames.leftover;
    } else {
      const decoder = new ReferenceU32Decoder();
      const onFrame = (frame: Uint8Array): void => {
        tally.add(frame);
      };
      socket.on('data', (chunk: Buffer) => {
        decoder.push(chunk, onFrame);
      });
      leftover = () => decoder.leftover;
    }
    await once(socket, 'end');
    const ms = performance.now() - started;
    const closed = once(socket, 'close');
    socket.end();
    await closed;
    if (leftover() !== 0) throw new Error(`${leftover()} bytes of an incomplete frame at the end`);
    return ms;
  };
}

async function rawClient(port: number): Promise<PingClient> {
  const socket = net.connect({ host: HOST, port });
  await once(socket, 'connect');
  socket.setNoDelay(true);
  const decoder = new ReferenceU32Decoder();
  let waiting: ((frame: Uint8Array) => void) | undefined;
  const onFrame = (frame: Uint8Array): void => {
    const resolve = waiting;
    waiting = undefined;
    resolve?.(frame);
  };
  socket.on('data', (chunk: Buffer) => {
    decoder.push(chunk, onFrame);
  });
  return {
    roundTrip(payload) {
      const reply = new Promise<Uint8Array>((resolve) => (waiting = resolve));
      socket.write(packFrame(payload));
      return reply;
    },
    close: async () => {
      const closed = once(socket, 'close');
      socket.destroy();
      await closed;
    },
  };
}

/** Counts the handle writes (`_writeGeneric`: one per `_write` or `_writev`) of every socket in this thread. */
function countSocketWrites(): { count: () => number; restore: () => void } {
  const proto = net.Socket.prototype as unknown as { _writeGeneric: (...args: unknown[]) => unknown };
  const original = proto._writeGeneric;
  let writes = 0;
  proto._writeGeneric = function (this: unknown, ...args: unknown[]) {
    writes++;
    return original.apply(this, args);
  };
  return {
    count: () => writes,
    restore: () => {
      proto._writeGeneric = original;
    },
  };
}

/**
 * The ping-pong: framewire's client and echo server against the raw ones, alternating in blocks
 * of round trips within this one pass, so that both see the same machine. (Run in separate
 * processes a few seconds apart, the two p50s drifted with the machine: their ratio went from
 * 0.97 to 1.23 between runs of the same code.) Block order alternates (framewire first, then
 * raw first) so that neither always follows the other.
 */
async function pingPong(plan: TcpPlan, pool: readonly Buffer[], expected: Expected, peer: Peer, tally: Tally): Promise<Metrics> {
  const { failed } = peer;
  if (peer.rawPort === undefined) throw new Error('the ping-pong peer did not post its raw echo server');
  const { framewireClient } = await import('./tcp-framewire.js');
  const sides = [
    { client: await framewireClient(peer.port), rtt: new Float64Array(plan.frames), ms: 0, writes: 0, tally },
    { client: await rawClient(peer.rawPort), rtt: new Float64Array(plan.frames), ms: 0, writes: 0, tally: new Tally(false) },
  ];
  const writes = countSocketWrites();
  const started = performance.now();
  try {
    const size = Math.ceil(plan.frames / PING_BLOCKS);
    for (let block = 0, from = 0; from < plan.frames; block++, from += size) {
      const to = Math.min(from + size, plan.frames);
      for (const side of block % 2 === 0 ? sides : [...sides].reverse()) {
        const writes0 = writes.count();
        const blockStarted = performance.now();
        for (let i = from; i < to; i++) {
          const t0 = performance.now();
          const reply = await Promise.race([side.client.roundTrip(pool[i % pool.length]!), failed]);
          side.rtt[i] = performance.now() - t0;
          side.tally.add(reply);
        }
        side.ms += performance.now() - blockStarted;
        side.writes += writes.count() - writes0;
      }
    }
  } finally {
    writes.restore();
  }
  const ms = performance.now() - started;
  for (const side of sides) await side.client.close();
  // The raw side's replies are checked as strictly as framewire's, which the cell checks.
  const rawWrong = mismatch(sides[1]!.tally, expected);
  if (rawWrong !== undefined) throw new Error(`raw ping-pong: ${rawWrong}`);
  const [fw, raw] = sides.map((side) => {
    side.rtt.sort();
    return {
      p50: side.rtt[Math.floor(plan.frames * 0.5)]! * 1000,
      p99: side.rtt[Math.floor(plan.frames * 0.99)]! * 1000,
      perSec: plan.frames / (side.ms / 1000),
      writes: side.writes / plan.frames,
    };
  }) as [PingStats, PingStats];
  return {
    timedMs: ms,
    p50Us: fw.p50,
    p99Us: fw.p99,
    roundTripsPerSec: fw.perSec,
    writesPerFrame: fw.writes,
    rawP50Us: raw.p50,
    rawP99Us: raw.p99,
    rawRoundTripsPerSec: raw.perSec,
    rawWritesPerFrame: raw.writes,
    // Per run, so that the summary's median is the median of paired ratios.
    p50Ratio: fw.p50 / raw.p50,
  };
}
