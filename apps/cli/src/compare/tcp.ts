/**
 * Speed over real loopback TCP (127.0.0.1): throughput with small and large frames, and
 * round-trip latency, through `@framewire/transport`.
 *
 * @module
 */
import { performance } from 'node:perf_hooks';
import { concatBytes, decodeFramesAsync, Deframer, type FramingStrategy } from '@framewire/chunk-buffer';
import { connect, listen, type Connection, type Server } from '@framewire/transport';
import { carriableText, type Fitting } from './carry.js';
import { Random, sameBytes, textPayload } from './data.js';
import { refusalOf } from './memory.js';
import { tryEncode } from './overhead.js';

/** Throughput of one frame size. */
export interface TcpThroughput {
  /** Payload size in bytes (text payloads). */
  payloadBytes: number;
  /** Payload megabytes (10⁶ bytes) per second received and decoded by the server, or `null` when the size cannot be carried. */
  MBps: number | null;
  /** Frames per second received and decoded by the server, or `null`. */
  framesPerSec: number | null;
  /** Frames sent (and received) during the measurement. */
  frames: number;
}

/** Round-trip latency figures, all from one run: its p50 and p99 come from the same samples. */
export interface TcpLatency {
  /** Payload size in bytes of the echoed frame (fewer than asked for when the strategy carries fewer). */
  payloadBytes: number;
  /** Round trips measured (after the warm-up). */
  roundTrips: number;
  /** Median round trip, microseconds. */
  p50us: number;
  /** 99th percentile round trip, microseconds. */
  p99us: number;
}

/** How long the TCP measurements run. */
export interface TcpBudget {
  /**
   * Milliseconds each throughput measurement aims at: a warm-up run (256 KiB) gives the rate,
   * then as many frames are sent as that rate delivers in this time.
   */
  measureMs: number;
  /** Round trips timed for latency (plus a tenth as warm-up). */
  roundTrips: number;
  /** Latency stops early after this many milliseconds. */
  latencyMaxMs: number;
}

const HOST = '127.0.0.1';
// The sender encodes frames into batches of about this size, one write each: framed traffic
// is written the way a buffered writer would, so the figure is the framing's, not one system
// call per 16-byte frame.
const BATCH_BYTES = 64 * 1024;
// No single measurement may hang the run.
const GUARD_MS = 15_000;
/** The latency test's name in the report's notes. */
const LATENCY_TEST = 'round trips';

function portOf(server: Server): number {
  if (server.address.family === 'unix') throw new Error('expected a TCP server');
  return server.address.port;
}

function withGuard<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`${what} did not finish within ${GUARD_MS / 1000} s`));
    }, GUARD_MS);
  });
  return Promise.race([promise, guard]).finally(() => {
    clearTimeout(timer);
  });
}

interface ServerTally {
  frames: number;
  bytes: number;
  lastFrameAt: number;
}

/** A promise with its settle functions, for a result that a connection handler delivers. */
interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Awaited later; this keeps a failure before then from counting as unhandled.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

/**
 * Measures throughput: a client sends text frames of `size` bytes as fast as the socket takes
 * them (in batches of about 64 KiB, one write each), then half-closes; a server on the same
 * loopback decodes and counts them. Throughput is the payload the server decoded between the
 * client's first write and the last frame. The server checks every frame's length and the
 * client that every frame sent was decoded.
 */
export async function measureTcpThroughput(strategy: FramingStrategy, size: number, budget: TcpBudget, seed: number, fitting?: Fitting): Promise<TcpThroughput> {
  const random = new Random(seed ^ size ^ 0x7c9);
  const payloads = Array.from({ length: 8 }, () => textPayload(random, size));
  if (refusalOf(strategy, payloads, size, 'speed over TCP', fitting) !== undefined) return { payloadBytes: size, MBps: null, framesPerSec: null, frames: 0 };
  const encoder = strategy.createEncoder();
  const parts: Uint8Array[] = [];
  let framesPerBatch = 0;
  let batchBytes = 0;
  do {
    for (const part of encoder.encode(payloads[framesPerBatch & 7]!)) {
      parts.push(part.slice());
      batchBytes += part.length;
    }
    framesPerBatch++;
  } while (batchBytes < BATCH_BYTES);
  const batch = concatBytes(parts);

  // The tally of the connection being measured; replaced before each new connection.
  let current = deferred<ServerTally>();
  const server = await listen({ host: HOST, port: 0 }, async (connection: Connection) => {
    const result = current;
    const tally: ServerTally = { frames: 0, bytes: 0, lastFrameAt: 0 };
    try {
      const deframer = new Deframer(strategy);
      const onFrame = (frame: Uint8Array): void => {
        if (frame.length !== size) throw new Error(`server received a ${frame.length}-byte frame, expected ${size}`);
        tally.frames++;
        tally.bytes += frame.length;
      };
      for await (const chunk of connection) {
        const before = tally.frames;
        deframer.push(chunk, onFrame);
        if (tally.frames !== before) tally.lastFrameAt = performance.now();
      }
      deframer.end(onFrame);
      result.resolve(tally);
    } catch (error) {
      result.reject(error);
    } finally {
      connection.close();
    }
  });
  try {
    // Sends `batches` batches, half-closes, and waits for the server's count. Bounded in count;
    // the guard bounds it in time.
    const run = async (batches: number): Promise<{ sent: number; tally: ServerTally; start: number }> => {
      const tallyPromise = current.promise;
      const connection = await connect({ host: HOST, port: portOf(server) });
      const start = performance.now();
      try {
        const sending = (async () => {
          for (let i = 0; i < batches; i++) await connection.write(batch);
          await connection.end();
        })();
        await withGuard(sending, `${strategy.name} throughput`);
        const tally = await withGuard(tallyPromise, `${strategy.name} throughput`);
        return { sent: batches * framesPerBatch, tally, start };
      } finally {
        connection.close();
      }
    };
    // The warm-up also sizes the measurement: the kernel buffers megabytes on loopback, so
    // sending "for N ms" would measure the sender; a count of frames measures the whole path.
    const warmupBatches = Math.max(2, Math.ceil((256 * 1024) / batch.length));
    const warm = await run(warmupBatches);
    const warmSeconds = Math.max(1e-4, (warm.tally.lastFrameAt - warm.start) / 1000);
    const batchesPerSecond = warmupBatches / warmSeconds;
    const batches = Math.max(2, Math.min(65_536, Math.round((batchesPerSecond * budget.measureMs) / 1000)));
    current = deferred<ServerTally>();
    const { sent, tally, start } = await run(batches);
    if (tally.frames !== sent) throw new Error(`${strategy.name}: sent ${sent} frames over TCP, the server decoded ${tally.frames}`);
    const seconds = (tally.lastFrameAt - start) / 1000;
    return { payloadBytes: size, MBps: tally.bytes / seconds / 1e6, framesPerSec: tally.frames / seconds, frames: tally.frames };
  } finally {
    await server.close({ graceMs: 1000 });
  }
}

/** The `q`-quantile (0–1) of sorted values, nearest-rank. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1]!;
}

/**
 * The text frame the latency test echoes: `size` bytes, or as many as the strategy carries
 * when that is fewer, with the bytes its encoder refuses replaced (see {@link carriableText});
 * both fittings are recorded in `fitting`.
 */
function latencyMessage(strategy: FramingStrategy, size: number, seed: number, fitting?: Fitting): Uint8Array {
  const bytes = Math.min(size, strategy.maxFrameLength);
  if (bytes < size) fitting?.shortened(LATENCY_TEST, `${bytes}-byte frames`);
  const message = textPayload(new Random(seed ^ bytes ^ 0x1a7), bytes);
  const outcome = tryEncode(strategy, message);
  if (outcome.ok || outcome.refused !== 'ERR_UNENCODABLE_PAYLOAD') return message;
  const carried = carriableText(strategy, message);
  if (carried === undefined) return message;
  fitting?.replaced(LATENCY_TEST, carried.replaced);
  return carried.bytes;
}

/**
 * Measures round-trip latency: the client sends one frame of `size` bytes (fitted to the
 * strategy by {@link latencyMessage}) and waits for the server to decode it, encode it again
 * and send it back; repeated `roundTrips` times (a tenth more as warm-up, not counted), one
 * frame in flight at a time. Checks every echo. The figures are of this one run: its p50 and
 * p99 come from the same samples.
 */
export async function measureTcpLatency(strategy: FramingStrategy, size: number, budget: TcpBudget, seed: number, fitting?: Fitting): Promise<TcpLatency> {
  const message = latencyMessage(strategy, size, seed, fitting);
  const server = await listen({ host: HOST, port: 0 }, async (connection: Connection) => {
    const encoder = strategy.createEncoder();
    try {
      for await (const frame of decodeFramesAsync(connection, strategy)) {
        await connection.write(concatBytes(encoder.encode(frame)));
      }
      await connection.end();
    } catch {
      // The client checks every echo; a server-side failure shows up there as a missing reply.
    } finally {
      connection.close();
    }
  });
  try {
    const connection = await connect({ host: HOST, port: portOf(server) });
    try {
      const frames = decodeFramesAsync(connection, strategy)[Symbol.asyncIterator]();
      const wire = concatBytes(strategy.createEncoder().encode(message));
      const warmup = Math.ceil(budget.roundTrips / 10);
      const samples: number[] = [];
      const began = performance.now();
      const loop = async (): Promise<void> => {
        for (let i = 0; i < warmup + budget.roundTrips; i++) {
          const sentAt = performance.now();
          await connection.write(wire);
          const reply = await frames.next();
          const rtt = performance.now() - sentAt;
          if (reply.done === true || !sameBytes(reply.value, message)) throw new Error(`${strategy.name}: echo ${i} did not match the frame sent`);
          if (i >= warmup) samples.push(rtt * 1000);
          if (i >= warmup && performance.now() - began > budget.latencyMaxMs) break;
        }
      };
      await withGuard(loop(), `${strategy.name} latency`);
      await connection.end();
      samples.sort((a, b) => a - b);
      return { payloadBytes: message.length, roundTrips: samples.length, p50us: quantile(samples, 0.5), p99us: quantile(samples, 0.99) };
    } finally {
      connection.close();
    }
  } finally {
    await server.close({ graceMs: 1000 });
  }
}
