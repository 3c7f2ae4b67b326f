/**
 * Random bytes at `framewire serve`, for every framing name (issue 7): each connection ends
 * the way the framing's own decoder says it must — the same typed error (logged, connection
 * closed) or the same number of frames — and the server stays up for the next client.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { Deframer, isFramingError } from '@framewire/chunk-buffer';
import { afterAll, describe, expect, it } from 'vitest';
import { FRAMING_NAMES, framingErrorForCli, resolveFraming } from '../src/framing.js';
import { KiB, rawClient, recordFigures, runCli, startServe } from './helpers.js';
import type { Serve } from './helpers.js';

const CONNECTIONS = 24;
const MAX_BYTES = 64 * KiB;

/** Every registry name, parameterised ones with a typical parameter. */
const NAMES = FRAMING_NAMES.map((name) => (name === 'ascii:W' ? 'ascii:10' : name === 'delim:HEX' ? 'delim:0d0a' : name));

/**
 * What the framing's decoder makes of `bytes` followed by the end of the stream, with the
 * error as the CLI words it (a delimiter framing's truncation names `--allow-unterminated`).
 */
function expectedOutcome(name: string, bytes: Uint8Array): { frames: number; error: string | undefined; code: string | undefined } {
  const strategy = resolveFraming(name);
  const deframer = new Deframer(strategy);
  let frames = 0;
  const count = (): void => {
    frames += 1;
  };
  try {
    deframer.push(bytes, count);
    deframer.end(count);
    return { frames, error: undefined, code: undefined };
  } catch (error) {
    const shown = framingErrorForCli(error, strategy);
    if (!isFramingError(shown)) throw error;
    return { frames, error: shown.message, code: shown.code };
  }
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const serves: Serve[] = [];
afterAll(async () => {
  await Promise.all(serves.splice(0).map((serve) => serve.stop()));
});

describe('random bytes at serve', () => {
  it('covers every framing name of the registry', () => {
    expect(NAMES).toHaveLength(FRAMING_NAMES.length);
    expect(NAMES).toEqual(expect.arrayContaining(['u8', 'u32be', 'u64le', 'varint', 'ascii:10', 'netstring', 'line', 'cobs', 'slip', 'raw']));
  });

  it.each(NAMES)('%s: typed errors logged, connections closed, the server still up', async (name) => {
    // No --echo: what is logged is the decoder's verdict alone (an echo could fail to
    // re-encode a frame, which is another matter).
    const serve = await startServe(['--framing', name, '--frame-timeout', '0']);
    serves.push(serve);
    const codes: Record<string, number> = {};
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        const bytes = randomBytes(randomInt(1, MAX_BYTES + 1));
        const client = await rawClient(serve.port);
        client.socket.end(bytes);
        await client.closed();
        const logged = await serve.waitForLog(
          new RegExp(`^Connection from ${escape(client.peer)} closed(?:: (.*) \\(after (\\d+) frames?\\)| after (\\d+) frames?\\.)$`, 'm'),
        );
        if (name === 'raw') {
          // raw has no wire format: every chunk is a frame, whatever the bytes; never an error.
          expect(logged[1], 'raw never fails').toBeUndefined();
          codes.none = (codes.none ?? 0) + 1;
          return;
        }
        const expected = expectedOutcome(name, bytes);
        if (expected.error === undefined) {
          expect(logged[1], `serve failed where the decoder did not: ${logged[0]}`).toBeUndefined();
          expect(Number(logged[3])).toBe(expected.frames);
          codes.none = (codes.none ?? 0) + 1;
        } else {
          expect(logged[1]).toBe(expected.error);
          expect(Number(logged[2])).toBe(expected.frames);
          codes[expected.code!] = (codes[expected.code!] ?? 0) + 1;
        }
      }),
    );
    // Still up: a well-formed client is served (its frame logged, its connection closed cleanly).
    const after = await runCli(['connect', '--port', String(serve.port), '--framing', name, '--timeout', '10', 'still up']);
    expect(after.code, after.stderr).toBe(0);
    await serve.waitForLog(/frame #1 \(8 bytes\).*still up/);
    recordFigures(`serve random bytes ${name}`, { connections: CONNECTIONS, ...codes });
  });
});
