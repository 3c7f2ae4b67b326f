/**
 * The report of `framewire compare`: what `--json` prints, and what the table and the HTML
 * page are drawn from.
 *
 * @module
 */
import type { BinarySafety, OverheadFigure } from './overhead.js';
import type { MemorySpeed, TimeBudget } from './memory.js';
import type { ResyncFigure } from './resync.js';
import type { StreamingFigure } from './streaming.js';
import type { TcpBudget, TcpLatency, TcpThroughput } from './tcp.js';

/** The machine the figures were measured on. */
export interface MachineInfo {
  /** `process.version`, e.g. `v20.20.2`. */
  node: string;
  /** V8 version. */
  v8: string;
  /** `process.platform`. */
  platform: string;
  /** `process.arch`. */
  arch: string;
  /** CPU model as the OS reports it. */
  cpuModel: string;
  /** Logical CPUs (`os.availableParallelism()`). */
  cpuCount: number;
  /** Total memory in bytes. */
  totalMemoryBytes: number;
}

/** The settings of the run. */
export interface CompareSettings {
  /** `--quick`: shorter measurements. */
  quick: boolean;
  /** Payload sizes in bytes (`--sizes`), ascending. */
  sizes: number[];
  /** Frame size of the frames-per-second figures (the smallest size). */
  smallFrameBytes: number;
  /** Frame size of the MB/s figures (the largest size). */
  largeFrameBytes: number;
  /** Seed of the generated payloads. */
  seed: number;
  /** Rounds of speed measurements over all strategies; each figure is the best round's. */
  rounds: number;
  /** Time budget of each in-memory measurement. */
  memory: TimeBudget;
  /** Time budget of the TCP measurements. */
  tcp: TcpBudget;
}

/** In-memory speed, as in the JSON. */
export interface MemoryFigures {
  /** Encode speed with frames of `settings.largeFrameBytes`, payload MB (10⁶ B) per second; `null` if not carried. */
  encodeMBps: number | null;
  /** Decode speed with frames of `settings.largeFrameBytes`, payload MB (10⁶ B) per second; `null` if not carried. */
  decodeMBps: number | null;
  /** Frames encoded per second with frames of `settings.smallFrameBytes`. */
  encodeFramesPerSec: number | null;
  /** Frames decoded per second with frames of `settings.smallFrameBytes`. */
  decodeFramesPerSec: number | null;
  /** Every size measured. */
  bySize: MemorySpeed[];
}

/** Loopback TCP, as in the JSON. */
export interface TcpFigures {
  /** Throughput with frames of `settings.largeFrameBytes`, payload MB (10⁶ B) per second; `null` if not carried. */
  throughputMBps: number | null;
  /** Frames per second with frames of `settings.smallFrameBytes`. */
  framesPerSec: number | null;
  /** Median round trip of one `settings.smallFrameBytes` frame (see `latency.payloadBytes`), microseconds. */
  p50us: number;
  /** 99th percentile round trip, microseconds, of the same run as `p50us`. */
  p99us: number;
  /** The large-frame throughput run. */
  large: TcpThroughput;
  /** The small-frame throughput run. */
  small: TcpThroughput;
  /**
   * The latency run shown: in a run of several rounds, the round with the lowest p50, whole
   * (its p50, p99 and round trips together; never the p50 of one round with the p99 of another).
   */
  latency: TcpLatency;
}

/** Every figure of one strategy. */
export interface StrategyReport {
  /** Name as in the design's table: `u32be`, `ascii:W`, `delim:HEX`. */
  name: string;
  /** The instance measured: `u32be`, `ascii:10`, `delim:0d0a`. */
  instance: string;
  /** Package it comes from. */
  package: string;
  /** Whether random binary payloads round-trip (tested). */
  binarySafe: boolean;
  /** The binary-safety test in detail. */
  binarySafety: BinarySafety;
  /** Whether the sender must know the payload length before it starts sending (tested). */
  needsLengthUpFront: boolean;
  /** The streaming test in detail. */
  streaming: StreamingFigure;
  /** Recovery after one corrupted byte. */
  resync: ResyncFigure;
  /** Wire bytes for every size and kind. */
  overhead: OverheadFigure[];
  /** Speed in memory. */
  memory: MemoryFigures;
  /** Speed over loopback TCP. */
  tcp: TcpFigures;
  /**
   * How tests were fitted to what this strategy carries, one sentence each (`binary safety:
   * payloads of at most 9 bytes, the most ascii:1 carries`), and which speed figures are
   * missing because its encoder refuses the text payloads. Absent when every test ran as
   * documented.
   */
  notes?: string[];
}

/** The whole report (`--json`). */
export interface CompareReport {
  /** Version of this JSON layout; bumped on incompatible changes. */
  schemaVersion: 1;
  /** What produced it. */
  tool: { name: 'framewire compare'; version: string };
  /** When the run started (ISO 8601). */
  generatedAt: string;
  /** Wall-clock seconds the run took. */
  elapsedSeconds: number;
  /** The machine. */
  machine: MachineInfo;
  /** The run's settings. */
  settings: CompareSettings;
  /** Unit of every figure, by its path in a strategy. */
  units: Record<string, string>;
  /** One entry per strategy, in the order given by `--framing`. */
  strategies: StrategyReport[];
}

/** The unit of each figure, printed into the JSON so scripts need not guess. */
export const UNITS: Readonly<Record<string, string>> = Object.freeze({
  'overhead[].payloadBytes': 'bytes',
  'overhead[].wireBytes': 'bytes on the wire for one frame (null: the encoder refused the payload)',
  'overhead[].overheadBytes': 'bytes (wireBytes - payloadBytes)',
  'overhead[].wirePerPayloadByte': 'ratio (wireBytes / payloadBytes)',
  'resync.framesLost': 'frames (worst case; null: never back in sync)',
  'memory.encodeMBps': 'payload MB/s (10^6 bytes per second) at settings.largeFrameBytes',
  'memory.decodeMBps': 'payload MB/s (10^6 bytes per second) at settings.largeFrameBytes',
  'memory.encodeFramesPerSec': 'frames per second at settings.smallFrameBytes',
  'memory.decodeFramesPerSec': 'frames per second at settings.smallFrameBytes',
  'tcp.throughputMBps': 'payload MB/s (10^6 bytes per second) over loopback TCP at settings.largeFrameBytes',
  'tcp.framesPerSec': 'frames per second over loopback TCP at settings.smallFrameBytes',
  'tcp.p50us': 'microseconds, median round trip of one settings.smallFrameBytes frame',
  'tcp.p99us': 'microseconds, 99th percentile round trip',
});
