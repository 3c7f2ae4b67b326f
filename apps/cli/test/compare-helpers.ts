import { PassThrough } from 'node:stream';
import { Command } from 'commander';
import { compareCommand } from '../src/compare/command.js';
import type { CommandIo } from '../src/io.js';
import { configureUsageErrors } from '../src/usage.js';

/** A captured run of `framewire compare` in-process. */
export interface CapturedRun {
  stdout: string;
  stderr: string;
}

/**
 * An in-memory stdout/stderr pair; `ttyStderr` makes stderr claim to be a terminal, `stdoutAs`
 * gives stdout the `isTTY` and `columns` a terminal (or a pipe) would have.
 */
export function captureIo(ttyStderr = false, stdoutAs: { isTTY?: boolean; columns?: number } = {}): { io: CommandIo; output: () => CapturedRun } {
  const stdout = Object.assign(new PassThrough(), stdoutAs);
  const stderr = Object.assign(new PassThrough(), ttyStderr ? { isTTY: true, columns: 100, cursorTo: () => true, clearLine: () => true, moveCursor: () => true } : {});
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk));
  stderr.on('data', (chunk: Buffer) => err.push(chunk));
  return {
    io: { stdin: new PassThrough(), stdout, stderr },
    output: () => ({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }),
  };
}

/** Runs `framewire compare ARGS…` in-process, as the program would (usage errors → UsageError). */
export async function runCompareCli(args: string[], ttyStderr = false): Promise<CapturedRun> {
  const { io, output } = captureIo(ttyStderr);
  const program = new Command('framewire');
  program.addCommand(compareCommand(io));
  configureUsageErrors(program);
  await program.parseAsync(['compare', ...args], { from: 'user' });
  return output();
}
