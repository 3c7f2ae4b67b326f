/**
 * The streams a command talks to. Commands take them as a parameter (defaulting to the
 * process's own) so they can also run in-process.
 *
 * @module
 */
import { Buffer } from 'node:buffer';
import { fstatSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { CliError } from './errors.js';
import { writeWithBackpressure, type MaybeTty } from './output.js';

/** stdin, stdout and stderr of a command run. */
export interface CommandIo {
  readonly stdin: Readable & { isTTY?: boolean };
  readonly stdout: Writable & MaybeTty;
  readonly stderr: Writable & MaybeTty;
}

/** The process's own streams. */
export function processIo(): CommandIo {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
}

/**
 * The chunks of a command's stdin. Node reads a directory given as the process's stdin
 * (`framewire decode < somedir`) as an empty stream, so the command would end with exit 0 and
 * nothing done: that is refused with a {@link CliError} (exit 1) instead, whose message shows
 * `example`, the command's own use of stdin.
 */
export function stdinChunks(io: CommandIo, example: string): AsyncIterable<Uint8Array> {
  if (io.stdin === process.stdin && stdinIsDirectory()) {
    throw new CliError(`stdin is a directory: redirect a file or pipe bytes into it (${example})`);
  }
  return io.stdin as AsyncIterable<Uint8Array>;
}

function stdinIsDirectory(): boolean {
  try {
    return fstatSync(0).isDirectory();
  } catch {
    return false; // no stdin at all: reading it ends at once, as Node's empty stream does
  }
}

/**
 * Collects output parts and writes them as one block, honouring backpressure: one write
 * per input chunk instead of one per frame part.
 */
export class BatchWriter {
  private parts: Uint8Array[] = [];

  constructor(private readonly stream: Writable) {}

  /** Queues parts for the next {@link flush}. */
  add(parts: readonly Uint8Array[]): void {
    for (const part of parts) this.parts.push(part);
  }

  /** Writes what was queued; resolves when the stream can take more. */
  async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    const block = Buffer.concat(this.parts);
    this.parts = [];
    await writeWithBackpressure(this.stream, block);
  }
}
