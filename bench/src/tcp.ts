/**
 * The TCP cells, main-thread side. Throughput scenarios: this thread receives and decodes,
 * a worker thread sends; the pass is timed from the accepted connection to the last frame
 * (worker start-up excluded). Ping-pong: this thread is the client, the worker echoes.
 * Everything on 127.0.0.1, port 0.
 */
import { once } from 'node:events';
import net from 'node:net';
import { Worker } from 'node:worker_threads';
import type { Job } from './cell.js';
import type { TcpCell } from './cells.js';
import type { Metrics } from './protocol.js';
import { ReferenceU32Decoder } from './reference.js';
import { FixedFrameTally, Tally, expectedOfFrames } from './tally.js';
import { HOST, packFrame, planOf, poolOf, type PeerData, type PeerMessage, type TcpPlan } from './tcp-shared.js';

/** A receiving end: its port, when it has seen the last frame, and how to shut it. */
export interface Receiver {
  readonly port: number;
  /** Resolves with the ms from the accepted connection to the end of the stream. */
  readonly done: Promise<number>;
  close(): Promise<void>;
}

/** A ping-pong client: sends one frame and resolves with the echoed frame. */
export interface PingClient {
  roundTrip(payload: Uint8Array): Promise<Uint8Array>;
  close(): Promise<void>;
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
  const wireBytes = plan.frames * (header + plan.payloadLength) * (cell.scenario === 'pingpong' ? 2 : 1);
  const run =
    cell.scenario === 'pingpong'
      ? (tally: Tally) => pingPong(cell, quick, plan, pool, tally)
      : (tally: Tally) => receive(cell, quick, plan, tally);
  return Promise.resolve({ expected, wireBytes, run });
}

function startPeer(data: PeerData): Worker {
  return new Worker(new URL('./tcp-peer.js', import.meta.url), { workerData: data });
}

/** Rejects when the worker fails or exits before `done`. */
function failureOf(worker: Worker): Promise<never> {
  return new Promise((_, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => {
      reject(new Error(`TCP peer exited (code ${code}) before the pass completed`));
    });
  });
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

async function receive(cell: TcpCell, quick: boolean, plan: TcpPlan, tally: Tally): Promise<Metrics> {
  let receiver: Receiver;
  if (cell.impl === 'framewire' || cell.impl === 'framewire-borrowed') {
    const { framewireReceiver } = await import('./tcp-framewire.js');
    receiver = await framewireReceiver(tally, cell.impl === 'framewire-borrowed');
  } else {
    receiver = await rawReceiver(cell, plan, tally);
  }
  const worker = startPeer({ scenario: cell.scenario, impl: cell.impl, quick, port: receiver.port });
  const failed = failureOf(worker);
  failed.catch(() => undefined);
  try {
    const ms = await Promise.race([receiver.done, failed]);
    await Promise.race([messageOf(worker, 'done'), failed]);
    return { timedMs: ms };
  } finally {
    await worker.terminate();
    await receiver.close();
  }
}

async function rawReceiver(cell: TcpCell, plan: TcpPlan, tally: Tally): Promise<Receiver> {
  let resolveDone!: (ms: number) => void;
  let rejectDone!: (error: Error) => void;
  const done = new Promise<number>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });
  const server = net.createServer((socket) => {
    const started = performance.now();
    let push: (chunk: Buffer) => void;
    let leftover: () => number;
    if (cell.scenario === 'bulk') {
      const frames = new FixedFrameTally(tally, plan.payloadLength);
      push = (chunk) => {
        frames.push(chunk);
      };
      leftover = () => frames.leftover;
    } else {
      const decoder = new ReferenceU32Decoder();
      const onFrame = (frame: Uint8Array): void => {
        tally.add(frame);
      };
      push = (chunk) => {
        decoder.push(chunk, onFrame);
      };
      leftover = () => decoder.leftover;
    }
    socket.on('data', push);
    socket.on('end', () => {
      const ms = performance.now() - started;
      socket.end();
      if (leftover() === 0) resolveDone(ms);
      else rejectDone(new Error(`${leftover()} bytes of an incomplete frame at the end`));
    });
    socket.on('error', rejectDone);
  });
  server.listen(0, HOST);
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    done,
    close: async () => {
      server.close();
      await once(server, 'close');
    },
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

async function pingPong(
  cell: TcpCell,
  quick: boolean,
  plan: TcpPlan, pool: readonly Buffer[], tally: Tally): Promise<Metrics> {
  const worker = startPeer({ scenario: 'pingpong', impl: cell.impl, quick });
  const failed = failureOf(worker);
  failed.catch(() => undefined);
  try {
    const listening = await Promise.race([messageOf(worker, 'listening'), failed]);
    if (listening.type !== 'listening') throw new Error('unexpected peer message');
    let client: PingClient;
    if (cell.impl === 'framewire') {
      const { framewireClient } = await import('./tcp-framewire.js');
      client = await framewireClient(listening.port);
    } else {
      client = await rawClient(listening.port);
    }
    const writes = countSocketWrites();
    const rtt = new Float64Array(plan.frames);
    const started = performance.now();
    try {
      for (let i = 0; i < plan.frames; i++) {
        const t0 = performance.now();
        const reply = await Promise.race([client.roundTrip(pool[i % pool.length]!), failed]);
        rtt[i] = performance.now() - t0;
        tally.add(reply);
      }
    } finally {
      writes.restore();
    }
    const ms = performance.now() - started;
    await client.close();
    rtt.sort();
    return {
      timedMs: ms,
      p50Us: rtt[Math.floor(plan.frames * 0.5)]! * 1000,
      p99Us: rtt[Math.floor(plan.frames * 0.99)]! * 1000,
      writesPerFrame: writes.count() / plan.frames,
    };
  } finally {
    await worker.terminate();
  }
}
