/** What the TCP cell (main thread) and its peer (a worker thread) agree on. */
import type { TcpImpl, TcpScenario } from './cells.js';
import { randomPayloads } from './workloads.js';

export const HOST = '127.0.0.1';

/** Blocks per side in the ping-pong, framewire and raw in turn (250 round trips each in the full run). */
export const PING_BLOCKS = 40;

/** Frames per batch in the `small` scenario: one socket write per batch. */
export const BATCH = 1024;

export interface TcpPlan {
  /** Frames sent (round trips for ping-pong). */
  readonly frames: number;
  readonly payloadLength: number;
  /** Distinct payloads, used in turn: frame i carries payload i % poolSize. */
  readonly poolSize: number;
}

export function planOf(scenario: TcpScenario, quick: boolean): TcpPlan {
  switch (scenario) {
    case 'bulk':
      // 512 MiB (32 MiB quick) of 64 KiB frames.
      return { frames: quick ? 512 : 8_192, payloadLength: 64 * 1024, poolSize: 16 };
    case 'small':
      return { frames: quick ? 50_000 : 1_000_000, payloadLength: 64, poolSize: 4_096 };
    case 'pingpong':
      return { frames: quick ? 1_000 : 10_000, payloadLength: 64, poolSize: 4_096 };
  }
}

/** The payload pool, identical in both threads (deterministic). */
export function poolOf(plan: TcpPlan): Buffer[] {
  const bytes = randomPayloads(plan.poolSize * plan.payloadLength, false, 0x6d2b79f5);
  const pool: Buffer[] = [];
  for (let i = 0; i < plan.poolSize; i++) pool.push(bytes.subarray(i * plan.payloadLength, (i + 1) * plan.payloadLength));
  return pool;
}

/** Sent to the peer worker. */
export interface PeerData {
  readonly scenario: TcpScenario;
  readonly impl: TcpImpl;
  readonly quick: boolean;
}

/**
 * Posted by the peer worker: the port it listens on (ping-pong: also the raw echo server's), and
 * (throughput scenarios) after each connection, that it has sent everything and seen the
 * connection closed.
 */
export type PeerMessage = { type: 'listening'; port: number; rawPort?: number } | { type: 'done' };

/** A u32be frame (header + payload) in one new buffer. */
export function packFrame(payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(4 + payload.length);
  out.writeUInt32BE(payload.length, 0);
  out.set(payload, 4);
  return out;
}
