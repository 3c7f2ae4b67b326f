import { FrameTooLargeError, MalformedFrameError } from '@framewire/chunk-buffer';
import type { FrameDecoder } from '@framewire/chunk-buffer';
import { describe, expect, it } from 'vitest';
import { ConformanceError, checkLimits, checkStrategy, decodeChunks, driveDecoder } from '../src/index.js';
import { newline, u16Prefix } from './fixtures/samples.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('driveDecoder', () => {
  it('decodes across chunks and reports where the decoder waited', () => {
    const run = driveDecoder(newline(), [text('ab'), text('c\nde'), text('\n')]);
    expect(run.frames.map((f) => new TextDecoder().decode(f))).toEqual(['abc', 'de']);
    expect(run.error).toBeUndefined();
    expect(run.maxWaitingBytes).toBe(2);
    expect(run.leftoverBytes).toBe(0);
    expect(run.endReturnedFrame).toBe(false);
  });

  it('with frameEnds, reports the first frame decode still held once its last byte had been fed', () => {
    const holds = u16Prefix({}, { holdsLastFrame: true });
    // Frame 0 (00 01 07) ends with chunk 0; the decoder hands it over only when chunk 1 arrives.
    const chunks = [Uint8Array.of(0, 1, 7), Uint8Array.of(0, 1), Uint8Array.of(8)];
    const run = driveDecoder(holds, chunks, { frameEnds: [3, 6] });
    expect(run.lateFrame).toEqual({ frame: 0, fed: 3, chunk: 0 });
    expect(driveDecoder(holds, chunks).lateFrame).toBeUndefined();
    expect(driveDecoder(u16Prefix(), chunks, { frameEnds: [3, 6] }).lateFrame).toBeUndefined();
  });

  it('says when end() returned the last frame', () => {
    const run = driveDecoder(u16Prefix({}, { holdsLastFrame: true }), [Uint8Array.of(0, 1, 7, 0, 1, 8)]);
    expect(run.frames).toEqual([Uint8Array.of(7), Uint8Array.of(8)]);
    expect(run.endReturnedFrame).toBe(true);
  });

  it('returns the unrecoverable error with the frames delivered before it', () => {
    const run = driveDecoder(newline({ maxFrameLength: 3 }), [text('ok\ntoo long\n')]);
    expect(run.frames.map((f) => new TextDecoder().decode(f))).toEqual(['ok']);
    expect(run.error).toBeInstanceOf(FrameTooLargeError);
    expect(run.errorAtEnd).toBe(false);
    expect(run.framesBeforeError).toBe(1);
  });

  it('goes on after recoverable errors, and calls a second one without progress a loop', () => {
    const bad = new MalformedFrameError('bad', { recoverable: true });
    let calls = 0;
    const once: FrameDecoder = {
      decode: (buffer) => {
        if (++calls === 1) {
          buffer.skip(1);
          throw bad;
        }
        return buffer.length > 0 ? buffer.take(buffer.length) : undefined;
      },
      end: () => undefined,
    };
    const run = driveDecoder(once, [Uint8Array.of(1, 2, 3)]);
    expect(run.recovered).toEqual([bad]);
    expect(run.frames.map((f) => Array.from(f))).toEqual([[2, 3]]);

    const stuck: FrameDecoder = {
      decode: () => {
        throw bad;
      },
      end: () => undefined,
    };
    expect(() => driveDecoder(stuck, [Uint8Array.of(1)])).toThrow(/threw ERR_MALFORMED_FRAME twice without consuming a byte in between/);
  });

  it('catches the same bytes reported again on a later chunk', () => {
    let n = 0;
    // Consumes nothing, and reports an error on every other call: once per chunk.
    const again: FrameDecoder = {
      decode: () => {
        n++;
        if (n % 2 === 0) return undefined;
        throw new MalformedFrameError(`bad ${n}`, { recoverable: true });
      },
      end: () => undefined,
    };
    expect(() => driveDecoder(again, [Uint8Array.of(1), new Uint8Array(0)])).toThrow(ConformanceError);
  });

  it('accepts recoverable errors that each drop bytes, until the bytes run out', () => {
    const dropping: FrameDecoder = {
      decode: (buffer) => {
        if (buffer.length === 0) return undefined;
        buffer.skip(1);
        throw new MalformedFrameError('bad byte', { recoverable: true });
      },
      end: () => undefined,
    };
    const run = driveDecoder(dropping, [Uint8Array.of(1, 2, 3)]);
    expect(run.recovered).toHaveLength(3);
    expect(run.error).toBeUndefined();
  });

  it('rejects a non-FramingError', () => {
    const throwing: FrameDecoder = {
      decode: () => {
        throw new TypeError('oops');
      },
      end: () => undefined,
    };
    expect(() => driveDecoder(throwing, [Uint8Array.of(1)])).toThrow('decode threw TypeError: oops, which is not a FramingError');
  });
});

describe('decodeChunks', () => {
  it('returns the frames or throws the first error', () => {
    expect(decodeChunks(u16Prefix(), [Uint8Array.of(0, 1, 9, 0), Uint8Array.of(0)]).map((f) => Array.from(f))).toEqual([[9], []]);
    expect(() => decodeChunks(u16Prefix(), [Uint8Array.of(0, 1)])).toThrow(/stream ended inside a frame/);
  });
});

describe('checkStrategy', () => {
  it('runs every property outside vitest and passes a correct strategy', () => {
    expect(() => {
      checkStrategy(u16Prefix, { vectors: [{ payload: Uint8Array.of(7), wire: Uint8Array.of(0, 1, 7) }] });
    }).not.toThrow();
    // Every property at 1,000 runs in one test: seconds on a quiet machine, more on a busy CI box.
  }, 120_000);

  it('stops at the first failing property', () => {
    expect(() => {
      checkStrategy((o) => u16Prefix(o, { silentTruncation: true }));
    }).toThrow(/property "4\. /);
  });
});

describe('property 3 with a plain strategy', () => {
  it('checks the encoder at the strategy’s own limit', () => {
    expect(() => {
      checkLimits(u16Prefix({ maxFrameLength: 100 }));
    }).not.toThrow();
    expect(() => {
      checkLimits(u16Prefix({ maxFrameLength: 100 }, { encoderIgnoresLimit: true }));
    }).toThrow(/encoding 101 bytes with maxFrameLength = 100 succeeded; expected ERR_FRAME_TOO_LARGE/);
  });
});
