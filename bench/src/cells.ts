/**
 * Every cell of the suite: one workload × one implementation. The orchestrator runs each in
 * fresh child processes; the child looks its cell up here by id. This module loads no
 * implementation, so listing cells costs nothing.
 */
import { FOOTER_WIRES, HEADER_WIRES, type Wire } from './wire.js';
import type { Shape } from './workloads.js';

/** Implementations of the in-memory decode cells. */
export const DECODE_IMPLS = {
  framewire: { label: 'framewire `Deframer`', module: 'framewire', output: 'bytes' },
  'framewire-plain': { label: 'framewire `Deframer`, plain `Uint8Array` chunks', module: 'framewire', output: 'bytes' },
  'framewire-generator': { label: 'framewire `decodeFrames` (sync generator)', module: 'framewire', output: 'bytes' },
  'framewire-async': { label: 'framewire `decodeFramesAsync` (async source)', module: 'framewire', output: 'bytes' },
  'framewire-strings': { label: 'framewire `LineTextDecoder`', module: 'framewire', output: 'strings' },
  'framewire-textdecoder': { label: 'framewire `Deframer` + `TextDecoder` per line', module: 'framewire', output: 'strings' },
  reference: { label: 'reference (hand-written)', module: 'reference', output: 'bytes' },
  'reference-strings': { label: 'reference splitter + `TextDecoder`', module: 'reference', output: 'strings' },
  memcpy: { label: '`Uint8Array.set` (copy limit)', module: 'reference', output: 'bytes' },
  'ilp-sync': { label: 'it-length-prefixed (sync source)', module: 'peers', output: 'bytes' },
  'ilp-async': { label: 'it-length-prefixed (async source)', module: 'peers', output: 'bytes' },
  lps: { label: 'length-prefixed-stream', module: 'peers', output: 'bytes' },
  bl: { label: 'bl `BufferList` + u32be loop', module: 'peers', output: 'bytes' },
  u8al: { label: 'uint8arraylist + u32be loop', module: 'peers', output: 'bytes' },
  'serialport-delimiter': { label: '@serialport/parser-delimiter', module: 'peers', output: 'bytes' },
  'serialport-readline': { label: '@serialport/parser-readline', module: 'peers', output: 'strings' },
  split2: { label: 'split2', module: 'peers', output: 'strings' },
  readline: { label: 'node:readline', module: 'peers', output: 'strings' },
} as const;

export type DecodeImpl = keyof typeof DECODE_IMPLS;

/** The TCP scenarios, all on 127.0.0.1. */
export const TCP_SCENARIOS = {
  bulk: 'u32be frames of 64 KiB over loopback TCP',
  small: 'u32be frames of 64 B over loopback TCP, written in batches of 1,024',
  pingpong: 'ping-pong of 64 B u32be frames over loopback TCP',
} as const;

export type TcpScenario = keyof typeof TCP_SCENARIOS;

export const TCP_IMPLS = {
  framewire: 'framewire encoder + transport',
  'framewire-frames': 'framewire encoder + transport, frames from `decodeFramesAsync(conn, u32be())` (reads laid out by `u32be`)',
  'framewire-arena': 'framewire encoder + transport, reads into 1 MiB blocks (`connect({ recvArena })`)',
  'framewire-reads': 'framewire encoder + transport, each frame read into memory of its own (`connect({ recvInto: frameReads(u32be()) })`)',
  'framewire-borrowed': 'framewire encoder + transport, borrowed frames (`new Deframer(u32be(), { borrowed: true })`)',
  'framewire-ring': 'framewire encoder + transport, borrowed frames read round one 1 MiB block (`recvArena` + `reuseArena`)',
  raw: 'raw `net.Socket`',
  corked: 'hand-written corked writer (`cork`, a write per part, `uncork`)',
  packed: 'hand-written packed writer (frames copied into one buffer per batch)',
} as const;

export type TcpImpl = keyof typeof TCP_IMPLS;

/** The TCP implementations that run framewire at both ends. */
export type FramewireTcpImpl = Extract<TcpImpl, `framewire${string}`>;

export function isFramewireTcp(impl: TcpImpl): impl is FramewireTcpImpl {
  return impl.startsWith('framewire');
}

export interface DecodeCell {
  readonly kind: 'decode';
  readonly id: string;
  readonly shape: Shape;
  readonly wire: Wire;
  readonly impl: DecodeImpl;
}

export interface TcpCell {
  readonly kind: 'tcp';
  readonly id: string;
  readonly scenario: TcpScenario;
  readonly impl: TcpImpl;
}

export type Cell = DecodeCell | TcpCell;

export function decodeCellId(shape: Shape, wire: Wire, impl: DecodeImpl): string {
  return `${shape}-${wire}/${impl}`;
}

export function tcpCellId(scenario: TcpScenario, impl: TcpImpl): string {
  return `tcp-${scenario}/${impl}`;
}

function decode(shape: Shape, wire: Wire, impls: readonly DecodeImpl[]): DecodeCell[] {
  return impls.map((impl) => ({ kind: 'decode', id: decodeCellId(shape, wire, impl), shape, wire, impl }));
}

function tcp(scenario: TcpScenario, impls: readonly TcpImpl[]): TcpCell[] {
  return impls.map((impl) => ({ kind: 'tcp', id: tcpCellId(scenario, impl), scenario, impl }));
}

const U32_PEERS = ['ilp-sync', 'bl', 'u8al'] as const;
const LINE_PEERS = ['serialport-delimiter', 'split2', 'readline'] as const;

/**
 * All cells, in the order they run (round-robin: run 1 of each, then run 2, ...). Cells that a
 * target compares run next to each other where it can be, so that they more often share the
 * machine's state: the VM has slow spells of a second or so (see `passPlan`).
 */
export const CELLS: readonly Cell[] = [
  // W1 and the other strategies on W1-shaped data.
  ...decode('w1', 'u32be', ['framewire', 'reference', 'framewire-generator', 'framewire-async', ...U32_PEERS, 'ilp-async']),
  ...decode('w1', 'varint', ['framewire', 'ilp-sync', 'lps']),
  ...(['ascii:10', 'netstring', 'cobs', 'slip', 'line', 'nul'] as const).flatMap((wire) =>
    decode('w1', wire, ['framewire']),
  ),
  // W2, W3 (length-prefixed-stream only speaks varint).
  ...decode('w2', 'u32be', ['framewire', 'reference', 'memcpy', ...U32_PEERS]),
  ...decode('w2', 'varint', ['lps']),
  ...decode('w3', 'u32be', ['framewire', 'reference', ...U32_PEERS]),
  ...decode('w3', 'varint', ['lps']),
  // W4, bytes out then strings out.
  ...decode('w4', 'line', [
    'framewire',
    'framewire-plain',
    'reference',
    'serialport-delimiter',
    'framewire-strings',
    'framewire-textdecoder',
    'reference-strings',
    'split2',
    'readline',
    'serialport-readline',
  ]),
  // W5: every header and footer strategy, and the peers that can carry the frame, each at both
  // sizes one after the other (the target is the ratio of the two).
  ...[
    ...[...HEADER_WIRES, ...FOOTER_WIRES].map((wire) => [wire, 'framewire'] as const),
    ...(['reference', ...U32_PEERS] as const).map((impl) => ['u32be', impl] as const),
    ['varint', 'lps'] as const,
    ...(['reference', ...LINE_PEERS] as const).map((impl) => ['line', impl] as const),
  ].flatMap(([wire, impl]) => [...decode('w5-small', wire, [impl]), ...decode('w5-large', wire, [impl])]),
  // raw in the middle: every framewire receiver runs at most two cells away from it.
  ...tcp('bulk', ['framewire', 'framewire-arena', 'raw', 'framewire-reads', 'framewire-borrowed', 'framewire-ring', 'framewire-frames']),
  ...tcp('small', ['framewire', 'corked', 'packed']),
  // One cell: framewire and the raw ping-pong alternate in blocks in the same process (see tcp.ts).
  ...tcp('pingpong', ['framewire']),
];

export function findCell(id: string): Cell | undefined {
  return CELLS.find((cell) => cell.id === id);
}

/**
 * The timed passes of one run; the fastest counts. `min` passes, then more while less than
 * `windowMs` has gone by since the first one started, up to `max`.
 */
export interface PassPlan {
  readonly min: number;
  readonly max: number;
  readonly windowMs: number;
}

/**
 * On this shared VM the machine has slow spells of a second or so, in which memory-bound work
 * takes up to twice as long (see README, "Reading the results"). Three passes of a 70 ms cell
 * take a few tenths of a second and often fall wholly inside one; passes spread over at least
 * this long mostly find a quiet moment. Measured on W1 `Deframer`, ten fresh processes each,
 * alternating: with three passes, four runs of 142–152 ms among 68–102; with eight, 70–95 ms.
 */
const SPELL_WINDOW_MS = 600;

/**
 * W1, W3 and W4: three passes, more up to eight within {@link SPELL_WINDOW_MS}. W2 (256 frames
 * of 1 MiB) twelve: its time also follows whether glibc hands the freed frames' pages back to
 * the kernel during the pass (a race between V8's threads, so it varies from pass to pass: one
 * W2 process measured passes of 50–225 ms with 8,416–56,890 page faults), and the passes with
 * the fewest (about 8.4 k) do not come in a process's first four: in four processes each of
 * framewire and the reference, twelve passes each, the first came fifth in five of them,
 * eleventh in two, and never in one (9.4 k at best). The TCP throughput scenarios six:
 * a pass of the 64 KiB scenario took 221–426 ms in one raw process, and three passes often
 * missed the quiet ones, of raw more than of framewire (whose receiver has more to do): four
 * processes of each 64 KiB cell, six passes each, put the median owned ratio at 0.95× raw
 * counting the first three passes and 0.80× counting all six, `reuseArena` at 1.14× and 0.97×.
 * W5 three (no more: there the 1 MiB frames can come back to memory the process already
 * touched while the 8 MiB ones never do, and more passes found that case for the small frames
 * only: `u32be` 0 against 255 faults per MiB, ratio 10.8). The ping-pong and `--quick`, one.
 */
export function passPlan(cell: Cell, quick: boolean): PassPlan {
  if (quick || (cell.kind === 'tcp' && cell.scenario === 'pingpong')) return { min: 1, max: 1, windowMs: 0 };
  if (cell.kind === 'tcp') return { min: 6, max: 6, windowMs: 0 };
  if (cell.shape.startsWith('w5')) return { min: 3, max: 3, windowMs: 0 };
  if (cell.shape === 'w2') return { min: 12, max: 12, windowMs: 0 };
  return { min: 3, max: 8, windowMs: SPELL_WINDOW_MS };
}

/** Per-phase time budget (warm-up, then timed pass): over it, the run is a TIMEOUT. */
export function budgetMs(cell: Cell, quick: boolean): number {
  if (cell.kind === 'decode' && cell.shape.startsWith('w5')) return quick ? 1_500 : 10_000;
  return quick ? 10_000 : 30_000;
}
