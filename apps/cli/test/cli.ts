/**
 * Helpers to run the built `framewire` command as child processes. Every child is tracked and
 * killed by its own PID at the end of the test file; every wait is bounded in time.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

/** The CLI bundle built by `global-setup.ts`. */
export const CLI = fileURLToPath(new URL('../test-output/cli/bin.js', import.meta.url));

const children = new Set<ChildProcess>();

// After the file's tests (which may run concurrently), kill any child still running: only
// ones a failed test left behind, as every test stops what it started.
afterAll(() => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  children.clear();
});

/** Tracks a child we started, so it is killed (by its PID) after the test. */
export function track<T extends ChildProcess>(child: T): T {
  children.add(child);
  return child;
}

/** The outcome of a finished command. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
  /** stdout as UTF-8. */
  out: string;
}

/** Options of {@link runCli}. */
export interface RunOptions {
  /** Bytes written to stdin, then stdin is closed. Without it stdin is /dev/null. */
  input?: string | Uint8Array;
  /** Kill the child (SIGKILL) after this long and fail. Defaults to 15 s. */
  timeoutMs?: number;
  /** Extra environment variables. */
  env?: Record<string, string>;
}

/** Environment for children: no colours unless a test asks for them. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.FORCE_COLOR;
  if (extra.FORCE_COLOR !== undefined) env.FORCE_COLOR = extra.FORCE_COLOR;
  return env;
}

/** Spawns `node bin.js ...args` with piped stdout/stderr. */
export function spawnCli(args: readonly string[], options: RunOptions = {}): ChildProcess {
  return track(
    spawn(process.execPath, [CLI, ...args], {
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      env: childEnv(options.env),
    }),
  );
}

/** Collects a child's output and resolves when it exits (or kills it after the timeout). */
export function finished(child: ChildProcess, timeoutMs = 15_000, label = 'framewire'): Promise<CliResult> {
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
  return new Promise<CliResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${label} did not exit within ${timeoutMs} ms; stderr: ${Buffer.concat(stderr).toString()}`));
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const out = Buffer.concat(stdout);
      resolve({ code, signal, stdout: out, out: out.toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') });
    });
  });
}

/** Runs `framewire ...args` to completion. */
export function runCli(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  const child = spawnCli(args, options);
  const result = finished(child, options.timeoutMs, `framewire ${args.join(' ')}`);
  if (options.input !== undefined) child.stdin?.end(options.input);
  return result;
}

/** A running `framewire serve`. */
export interface RunningServer {
  port: number;
  child: ChildProcess;
  /** Everything the server wrote to stderr so far. */
  log(): string;
  /** Waits until the server's stderr matches `pattern` (bounded). */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Waits for the server to exit by itself (killing it and failing after `timeoutMs`). */
  exited(timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends `signal` (SIGTERM by default) to the server and waits for it to exit. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `framewire serve --port 0 ...args` and reads the port from its first stderr line,
 * `listening on 127.0.0.1:PORT`.
 */
export function startServer(args: readonly string[], timeoutMs = 10_000): Promise<RunningServer> {
  const child = spawnCli(['serve', '--port', '0', ...args]);
  let log = '';
  const waiters = new Set<() => void>();
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => {
    log += text;
    for (const wake of waiters) wake();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      resolve({ code, signal });
      for (const wake of waiters) wake();
    });
  });
  const waitForLog = (pattern: RegExp, waitMs = 10_000): Promise<string> =>
    new Promise<string>((resolve, reject) => {
      const check = (): boolean => {
        const match = pattern.exec(log);
        if (match) {
          done();
          resolve(match[0]);
          return true;
        }
        if (child.exitCode !== null || child.signalCode !== null) {
          done();
          reject(new Error(`server exited before logging ${String(pattern)}; log:\n${log}`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`server did not log ${String(pattern)} within ${waitMs} ms; log:\n${log}`));
      }, waitMs);
      const wake = (): void => {
        check();
      };
      const done = (): void => {
        clearTimeout(timer);
        waiters.delete(wake);
      };
      if (!check()) waiters.add(wake);
    });
  return waitForLog(/^listening on 127\.0\.0\.1:(\d+)$/m, timeoutMs).then((line) => {
    const port = Number(/:(\d+)$/.exec(line)![1]);
    return {
      port,
      child,
      log: () => log,
      waitForLog,
      async exited(waitMs = 10_000) {
        let timer: NodeJS.Timeout | undefined;
        const result = await Promise.race([
          exited,
          new Promise<never>((_resolve, reject) => {
            timer = setTimeout(() => {
              child.kill('SIGKILL');
              reject(new Error(`server did not exit by itself within ${waitMs} ms`));
            }, waitMs);
          }),
        ]);
        clearTimeout(timer);
        return result;
      },
      async stop(signal: NodeJS.Signals = 'SIGTERM', waitMs = 10_000) {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        let timer: NodeJS.Timeout | undefined;
        const result = await Promise.race([
          exited,
          new Promise<never>((_resolve, reject) => {
            timer = setTimeout(() => {
              child.kill('SIGKILL');
              reject(new Error(`server did not exit within ${waitMs} ms after ${signal}`));
            }, waitMs);
          }),
        ]);
        clearTimeout(timer);
        return result;
      },
    };
  });
}
