/**
 * The streams a command talks to. Commands take them as a parameter (defaulting to the
 * process's own) so they can also run in-process.
 *
 * @module
 */
import { Buffer } from 'node:buffer';
import type { Readable, Writable } from 'node:stream';
import { writeWithBackpressure } from './output.js';

/** stdin, stdout and stderr of a command run. */
export interface CommandIo {
  readonly stdin: Readable & { isTTY?: boolean };
  readonly stdout: Writable & { isTTY?: boolean };
  readonly stderr: Writable & { isTTY?: boolean };
}

/** The process's own streams. */
export function processIo(): CommandIo {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
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
