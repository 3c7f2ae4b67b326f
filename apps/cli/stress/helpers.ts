/**
 * Shared pieces of the CLI stress suite: running the built `framewire` as child processes
 * (tracked, and killed by their own PID if a test leaves one behind), reading a child's
 * memory from `/proc`, raw sockets that misbehave on purpose, and the figures file.
 * Every wait is bounded in time.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;

/** The bundle `stress/global-setup.ts` builds from the current sources. */
export const CLI = fileURLToPath(new URL('../test-output/stress/bin.js', import.meta.url));

/** Test-only TLS files of the transport package (see its `test/fixtures/README.md`). */
export function tlsFixture(name: 'ca.pem' | 'server.pem' | 'server-key.pem'): string {
  return fileURLToPath(new URL(`../../../packages/transport/test/fixtures/${name}`, import.meta.url));
}

const children = new Set<ChildProcess>();

// A test that fails half-way may leave a child running: kill those, by their own PID only.
afterAll(() => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  children.clear();
});

/** Environment for children: no colours, so logs can be matched as plain text. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.FORCE_COLOR;
  return env;
}

/** Spawns `node bin.js ...args` with stdout and stderr piped; tracked until the file ends. */
export function spawnCli(args: readonly string[], stdin: 'ignore' | 'pipe' = 'ignore'): ChildProcess {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: [stdin, 'pipe', 'pipe'], env: childEnv() });
  children.add(child);
  return child;
}

/** A finished command. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Collects a child's output until it exits; SIGKILLs it and fails after `timeoutMs`. */
export function finished(child: ChildProcess, timeoutMs = 20_000): Promise<CliResult> {
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
  return new Promise<CliResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`framewire did not exit within ${timeoutMs} ms; stderr: ${Buffer.concat(stderr).toString()}`));
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') });
    });
  });
}

/** Runs `framewire ...args` to completion (stdin: /dev/null). */
export function runCli(args: readonly string[], timeoutMs?: number): Promise<CliResult> {
  return finished(spawnCli(args), timeoutMs);
}

/** A running `framewire serve`. */
export interface Serve {
  readonly port: number;
  readonly pid: number;
  readonly child: ChildProcess;
  /** The address from the first stderr line, `listening on HOST:PORT`. */
  readonly listening: string;
  /** Everything it wrote to stderr so far. */
  log(): string;
  /** Waits until stderr matches `pattern` (bounded), and returns the match. */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Resolves with how the process ended; SIGKILLs it and fails after `timeoutMs`. */
  exited(timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends `signal` (by PID) unless it already exited, then waits as {@link exited}. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `framewire serve --port 0 ...args` and waits for its first stderr line,
 * `listening on HOST:PORT`.
 */
export async function startServe(args: readonly string[], timeoutMs = 10_000): Promise<Serve> {
  const child = spawnCli(['serve', '--port', '0', ...args]);
  let log = '';
  const wakers = new Set<() => void>();
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => {
    log += text;
    for (const wake of wakers) wake();
  });
  // Drain stdout so a chatty server never blocks on a full pipe.
  child.stdout?.resume();
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      resolve({ code, signal });
      for (const wake of wakers) wake();
    });
  });
  const waitForLog = (pattern: RegExp, waitMs = 10_000): Promise<RegExpExecArray> =>
    new Promise((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        wakers.delete(check);
      };
      const check = (): void => {
        const match = pattern.exec(log);
        if (match) {
          done();
          resolve(match);
        } else if (child.exitCode !== null || child.signalCode !== null) {
          done();
          reject(new Error(`serve exited before logging ${String(pattern)}; log:\n${log}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`serve did not log ${String(pattern)} within ${waitMs} ms; log:\n${log.slice(-4000)}`));
      }, waitMs);
      wakers.add(check);
      check();
    });
  const exited = async (waitMs = 15_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> => {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        exit,
        new Promise<never>((_resolve, reject) => {
          timer = setTimeout(() => {
            child.kill('SIGKILL');
            reject(new Error(`serve did not exit within ${waitMs} ms; log:\n${log.slice(-4000)}`));
          }, waitMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  };
  const match = await waitForLog(/^listening on (.+):(\d+)$/m, timeoutMs);
  if (child.pid === undefined) throw new Error('serve has no PID');
  return {
    port: Number(match[2]),
    pid: child.pid,
    child,
    listening: `${match[1]!}:${match[2]!}`,
    log: () => log,
    waitForLog,
    exited,
    stop(signal: NodeJS.Signals = 'SIGTERM', waitMs?: number) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited(waitMs);
    },
  };
}

/** Memory of a process from `/proc/PID/status`, in bytes. */
export interface ProcMemory {
  /** Resident set size now (VmRSS). */
  rss: number;
  /** Peak resident set size since the process started (VmHWM). */
  hwm: number;
}

/** Reads VmRSS and VmHWM of `pid` (Linux). */
export function procMemory(pid: number): ProcMemory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): number => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(status);
    if (!match) throw new Error(`no ${name} in /proc/${pid}/status`);
    return Number(match[1]) * 1024;
  };
  return { rss: field('VmRSS'), hwm: field('VmHWM') };
}

/** How many file descriptors `pid` has open (Linux): its sockets, among others. */
export function openFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** Bytes as `12.3 MiB`. */
export function mib(bytes: number): string {
  return `${(bytes / MiB).toFixed(1)} MiB`;
}

/** Runs a full garbage collection when the process was started with `--expose-gc`. */
export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Tracks the peak of this process's memory above a baseline taken at construction. */
export class MemoryPeak {
  readonly startRss: number;
  readonly startArrayBuffers: number;
  peakRss: number;
  peakArrayBuffers: number;

  constructor() {
    collectGarbage();
    const usage = process.memoryUsage();
    this.startRss = usage.rss;
    this.startArrayBuffers = usage.arrayBuffers;
    this.peakRss = usage.rss;
    this.peakArrayBuffers = usage.arrayBuffers;
  }

  /** Samples the resident set size only (cheap). */
  sampleRss(): void {
    const rss = process.memoryUsage.rss();
    if (rss > this.peakRss) this.peakRss = rss;
  }

  /** Samples the resident set and ArrayBuffer memory. */
  sample(): void {
    const usage = process.memoryUsage();
    if (usage.rss > this.peakRss) this.peakRss = usage.rss;
    if (usage.arrayBuffers > this.peakArrayBuffers) this.peakArrayBuffers = usage.arrayBuffers;
  }

  get rssGrowth(): number {
    return this.peakRss - this.startRss;
  }

  get arrayBuffersGrowth(): number {
    return this.peakArrayBuffers - this.startArrayBuffers;
  }
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every `stepMs` until it holds; throws after `timeoutMs`. */
export async function until(check: () => boolean, what: string, timeoutMs = 10_000, stepMs = 10): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`gave up after ${timeoutMs} ms waiting for ${what}`);
    await sleep(stepMs);
  }
}

/** Whether `promise` has already settled (checked after one turn of the microtask queue). */
export function settledNow(promise: Promise<unknown>): Promise<boolean> {
  const pending = Symbol('pending');
  // `promise` first: if it has settled, its reaction is queued before the marker's.
  return Promise.race([promise, Promise.resolve(pending)]).then(
    (winner) => winner !== pending,
    () => true,
  );
}

/** A plain socket to 127.0.0.1:`port`, connected; its errors are recorded, never thrown. */
export interface RawClient {
  readonly socket: net.Socket;
  /** This end's address as the server logs it, `127.0.0.1:PORT`. */
  readonly peer: string;
  /** The first socket error (`ECONNRESET`, `EPIPE`…), if any. */
  error(): NodeJS.ErrnoException | undefined;
  /** Every byte received so far. */
  received(): Buffer;
  /** Resolves when the socket has closed; fails after `timeoutMs`. */
  closed(timeoutMs?: number): Promise<void>;
  /** Whether the socket has closed. */
  isClosed(): boolean;
}

/** Connects a {@link RawClient}: a peer the test drives byte by byte. */
export async function rawClient(port: number, timeoutMs = 10_000): Promise<RawClient> {
  // Not half-open: when the server ends, the socket ends and closes too.
  const socket = net.connect({ port, host: '127.0.0.1' });
  let error: NodeJS.ErrnoException | undefined;
  let isClosed = false;
  const parts: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => parts.push(chunk));
  socket.on('error', (e: NodeJS.ErrnoException) => {
    error ??= e;
  });
  const closed = new Promise<void>((resolve) => {
    socket.once('close', () => {
      isClosed = true;
      resolve();
    });
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no connection to 127.0.0.1:${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('close', () => {
      clearTimeout(timer);
      reject(error ?? new Error(`connection to 127.0.0.1:${port} closed while connecting`));
    });
  });
  return {
    socket,
    peer: `127.0.0.1:${socket.localPort ?? 0}`,
    error: () => error,
    received: () => Buffer.concat(parts),
    isClosed: () => isClosed,
    async closed(waitMs = 10_000) {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          closed,
          new Promise<never>((_resolve, reject) => {
            timer = setTimeout(() => {
              reject(new Error(`socket from port ${socket.localPort ?? '?'} still open after ${waitMs} ms`));
            }, waitMs);
          }),
        ]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Writes `data` and resolves once it is handed to the kernel, or rejects with the socket error. */
export function writeRaw(socket: net.Socket, data: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.write(data, (error) => {
      if (error) reject(error);
      else resolve();
    });
  });
}

const FIGURES = fileURLToPath(new URL('../test-output/stress-figures.json', import.meta.url));

/**
 * Prints a measured figure and records it in `test-output/stress-figures.json` (keyed by
 * `name`), from where the transport README's reliability section is written.
 */
export function recordFigures(name: string, figures: Record<string, number | string>): void {
  console.log(`[stress] ${name}: ${Object.entries(figures).map(([key, value]) => `${key}=${String(value)}`).join(', ')}`);
  let all: Record<string, unknown> = {};
  try {
    all = JSON.parse(readFileSync(FIGURES, 'utf8')) as Record<string, unknown>;
  } catch {
    // First figure of the run, or an unreadable file: start afresh.
  }
  all[name] = { ...figures, recordedAt: new Date().toISOString(), node: process.version };
  mkdirSync(fileURLToPath(new URL('../test-output/', import.meta.url)), { recursive: true });
  writeFileSync(FIGURES, `${JSON.stringify(all, null, 2)}\n`);
}
