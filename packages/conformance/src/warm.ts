import { execFile } from 'node:child_process';
import { Deframer, concatBytes } from '@framewire/chunk-buffer';
import type { FramingStrategy } from '@framewire/chunk-buffer';
import { ConformanceError } from './errors.js';

// V8 compiles optimized code against a class's hidden class but holds that hidden class only
// weakly: once no instance of the class is left and a garbage collection runs, the code is
// thrown away ("reason: weak objects" in `--trace-deopt`), and the next stream runs cold. The
// framewire packages keep one idle instance of each hot class for that reason; these two
// helpers check it. `runFreshStreams` runs in a child script started with
// `node --expose-gc --trace-deopt`; `codeThrownAway` starts that script and reads the trace.

/** Options of {@link runFreshStreams}. */
export interface FreshStreamsOptions {
  /** Streams decoded per strategy, each by a fresh `Deframer`, with a collection after each. Defaults to 3. */
  readonly streams?: number;
  /** Frames per stream: payloads of 20 to 99 lowercase letters, sent in 100-byte chunks. Defaults to 3000. */
  readonly frames?: number;
}

/** What {@link codeThrownAway} read from the child's trace. */
export interface ThrownAwayReport {
  /** Method names the child reported (its classes under test). */
  readonly methods: readonly string[];
  /** Those of them whose optimized code V8 threw away because an object it was built for died. */
  readonly thrownAway: readonly string[];
}

/** The method names along `object`'s prototype chain (constructors and `Object.prototype` left out). */
export function methodNames(object: object): string[] {
  const names = new Set<string>();
  for (let p: unknown = Object.getPrototypeOf(object); p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const name of Object.getOwnPropertyNames(p)) if (name !== 'constructor') names.add(name);
  }
  return [...names];
}

// A class that nothing keeps alive, run hot and then dropped: its code must show up as thrown
// away, or the trace does not report what codeThrownAway looks for.
class Control {
  sum = 0;

  controlStep(x: number): number {
    this.sum += x;
    return this.sum;
  }
}

function runControl(): number {
  const control = new Control();
  for (let i = 0; i < 1_000_000; i++) control.controlStep(i & 7);
  return control.sum;
}

function collect(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function') throw new Error('runFreshStreams needs a full collection: run node with --expose-gc');
  gc();
}

/**
 * In the child script: encodes a stream for every strategy (each with a fresh encoder, dropped
 * afterwards), then decodes each stream several times, each time with a fresh `Deframer`, with a
 * full garbage collection after each (a server whose connections come and go). All the streams
 * are encoded before the first is decoded, so that between streams nothing dies but the
 * instances under test. Returns the method names of the classes involved: the
 * strategies' decoders and encoders, `Deframer` and `ChunkBuffer`; add your own, then print
 * them with {@link reportMethods}.
 *
 * @throws Error when run without `--expose-gc`, or when a stream does not decode to its frames.
 */
export function runFreshStreams(strategies: readonly FramingStrategy[], options: FreshStreamsOptions = {}): Set<string> {
  const { streams = 3, frames = 3000 } = options;
  collect();
  for (let i = 0; i < 3; i++) {
    runControl();
    collect();
  }
  const methods = new Set<string>();
  const wires = strategies.map((strategy) => {
    const deframer = new Deframer(strategy);
    for (const object of [strategy.createDecoder(), strategy.createEncoder(), deframer, deframer.buffer]) {
      for (const name of methodNames(object)) methods.add(name);
    }
    return wireOf(strategy, frames);
  });
  strategies.forEach((strategy, index) => {
    const wire = wires[index]!;
    for (let stream = 0; stream < streams; stream++) {
      let decoded = 0;
      const deframer = new Deframer(strategy);
      for (let at = 0; at < wire.length; at += 100) deframer.push(wire.subarray(at, at + 100), () => decoded++);
      deframer.end(() => decoded++);
      if (decoded !== frames) throw new Error(`${strategy.name}: decoded ${decoded} frames, expected ${frames}`);
      collect();
    }
  });
  return methods;
}

// Frames of 20 to 99 lowercase letters (no delimiter, no byte to escape), by a fresh encoder.
function wireOf(strategy: FramingStrategy, frames: number): Uint8Array {
  const encoder = strategy.createEncoder();
  const parts: Uint8Array[] = [];
  for (let i = 0; i < frames; i++) parts.push(...encoder.encode(new Uint8Array(20 + (i % 80)).fill(0x61 + (i % 26))));
  return concatBytes(parts);
}

/** In the child script: prints the method names for {@link codeThrownAway} (its last line of output). */
export function reportMethods(methods: Iterable<string>): void {
  console.log(JSON.stringify([...methods]));
}

// V8's trace line when a collection freed an object some optimized code was built for:
// "[marking dependent code 0x… <Code TURBOFAN> (0x… <SharedFunctionInfo NAME>) (opt id 7) for
// deoptimization, reason: weak objects]".
const THROWN_AWAY = /<SharedFunctionInfo ([^>]*)>.*reason: weak objects\]$/;

// The child's last line of output: the JSON array of strings `reportMethods` printed.
function reportedMethods(line: string, script: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    value = undefined;
  }
  if (!Array.isArray(value) || !value.every((name) => typeof name === 'string')) {
    const shown = line.length > 80 ? `${line.slice(0, 80)}…` : line;
    throw new ConformanceError(
      `${script}: its last line of output must be the report of reportMethods() (got ${JSON.stringify(shown)})`,
    );
  }
  return value;
}

/** Options of {@link codeThrownAway}. */
export interface ThrownAwayOptions {
  /** Arguments for the script. Defaults to none. */
  readonly args?: readonly string[];
  /** Time the script gets, in milliseconds. Defaults to 60000. */
  readonly timeout?: number;
}

/**
 * Runs `script` (a path) with `node --expose-gc --trace-deopt` and returns which of the methods
 * it reported had their optimized code thrown away.
 *
 * @throws ConformanceError when the script fails, when its last line of output is not the
 *   report of {@link reportMethods}, or when the trace does not show the control class's code
 *   thrown away (then it cannot show anything else either).
 */
export async function codeThrownAway(script: string, options: ThrownAwayOptions = {}): Promise<ThrownAwayReport> {
  const { args = [], timeout = 60_000 } = options;
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(
      process.execPath,
      ['--expose-gc', '--trace-deopt', script, ...args],
      { maxBuffer: 256 * 1024 * 1024, timeout },
      (error, out, err) => {
        if (error) reject(new ConformanceError(`${script} failed: ${err.trim() || error.message}`, { cause: error }));
        else resolve(out);
      },
    );
  });
  const lines = stdout.trimEnd().split('\n');
  const methods = new Set(reportedMethods(lines.at(-1) ?? '', script));
  const thrown = new Set<string>();
  for (const line of lines) {
    const match = THROWN_AWAY.exec(line);
    if (match !== null) thrown.add(match[1]!);
  }
  if (!thrown.has('controlStep') && !thrown.has('runControl')) {
    throw new ConformanceError(
      `V8's trace did not show the control class's code thrown away ("reason: weak objects") in ${script}: ` +
        `on Node ${process.version} this check cannot see the effect`,
    );
  }
  return { methods: [...methods], thrownAway: [...thrown].filter((name) => methods.has(name)) };
}
