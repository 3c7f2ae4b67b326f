// The kit must be able to fail: each broken sample fails the property that targets its defect,
// with a message that names the property and the defect.
import fc from 'fast-check';
import { TruncatedFrameError } from '@framewire/chunk-buffer';
import { describe, expect, it } from 'vitest';
import {
  ConformanceError,
  checkArbitraryBytes,
  checkLimits,
  checkLinearWork,
  checkRecovery,
  checkRoundTrip,
  checkSpecialPayloads,
  checkTruncation,
  checkVectors,
} from '../src/index.js';
import type { StrategyFactory } from '../src/index.js';
import { NO_NEWLINE, newline, u16Prefix } from './fixtures/samples.js';

type Defects = NonNullable<Parameters<typeof u16Prefix>[1]>;

const brokenU16 = (defects: Defects): StrategyFactory => (options) => u16Prefix(options, defects);
const brokenNewline = (defects: Defects): StrategyFactory => (options) => newline(options, defects);
const newlineOptions = {
  payload: fc.uint8Array({ maxLength: 80 }).filter(NO_NEWLINE),
  specialBytes: [0x0a],
  binarySafe: false,
};

function failure(check: () => void): ConformanceError {
  try {
    check();
  } catch (error) {
    expect(error).toBeInstanceOf(ConformanceError);
    return error as ConformanceError;
  }
  throw new Error('the check passed; it should have failed');
}

describe('read memory (createReadMemory) that reads over memory a chunk still uses', () => {
  // One 16-byte array for every read: a later read overwrites the bytes of earlier chunks.
  const reuses: StrategyFactory = (options) => ({
    ...u16Prefix(options),
    createReadMemory: () => {
      const block = new Uint8Array(16);
      return { next: () => block, filled: () => undefined };
    },
  });

  it('fails property 1 (round trip), naming the read memory', () => {
    const error = failure(() => {
      checkRoundTrip(reuses, { numRuns: 200 });
    });
    expect(error.message).toMatch(/property "1\. decode\(encode\(messages\)\).*read into the memory createReadMemory\(\) gave/s);
  });

  it('passes with memory that is new for every read', () => {
    const fresh: StrategyFactory = (options) => ({
      ...u16Prefix(options),
      createReadMemory: () => ({ next: () => new Uint8Array(16), filled: () => undefined }),
    });
    checkRoundTrip(fresh, { numRuns: 200 });
  });
});

describe('a decoder that re-scans its buffer from offset 0 on every chunk', () => {
  const rescans = brokenNewline({ rescans: true });

  it('fails property 6 (linear work)', () => {
    const error = failure(() => {
      checkLinearWork(rescans, newlineOptions);
    });
    expect(error.message).toMatch(/property "6\. decoding work is linear.*over the bound of \d+ = 4 per byte fed \(workFactor\) \+ 4 per decode call \(callAllowance\) \+ 64/s);
  });

  it('passes properties 1 and 4, which do not measure work', () => {
    checkRoundTrip(rescans, newlineOptions);
    checkTruncation(rescans, newlineOptions);
  });
});

describe('a decoder that moves the payload into an array of its own, grown by copying, until the frame is whole', () => {
  const hoards = brokenU16({ hoardsPayload: true });

  it('fails property 6 (linear work): the copies are work the buffer does not see', () => {
    const error = failure(() => {
      checkLinearWork(hoards);
    });
    expect(error.message).toMatch(
      /property "6\. .*decode returned undefined having consumed \d+ of the \d+ wire bytes of frame \d+ \(a \d+-byte payload\), which it has not returned yet: more than the frame's 2 bytes of header and trailer/s,
    );
  });

  it('passes properties 1 and 4, which see only the frames', () => {
    checkRoundTrip(hoards);
    checkTruncation(hoards);
  });
});

describe('a decoder that drops a truncated frame silently', () => {
  it('fails property 4 (truncation)', () => {
    const error = failure(() => {
      checkTruncation(brokenU16({ silentTruncation: true }));
    });
    expect(error.message).toMatch(/property "4\. .*end\(\) dropped the partial frame silently; expected ERR_TRUNCATED_FRAME/s);
  });

  it('passes property 1', () => {
    checkRoundTrip(brokenU16({ silentTruncation: true }));
  });
});

describe('a decoder that holds a complete frame until a byte after it arrives, and returns the last one from end()', () => {
  const holds = brokenU16({ holdsLastFrame: true });
  const late = /frame \d+ was complete once \d+ bytes had been fed \(chunk \d+ brought its last byte\), but decode returned undefined without returning it/;

  it('fails property 1, naming the frame held and the bytes fed', () => {
    const error = failure(() => {
      checkRoundTrip(holds);
    });
    expect(error.message).toMatch(/property "1\. /);
    expect(error.message).toMatch(late);
  });

  it('fails property 4, where every complete frame is followed by more bytes, so none is left for end()', () => {
    // Each held frame comes out when the next chunk brings the partial frame's bytes: only the
    // check after every chunk sees that the frame waited for them.
    const error = failure(() => {
      checkTruncation(holds);
    });
    expect(error.message).toMatch(/property "4\. /);
    expect(error.message).toMatch(late);
  });

  it('fails property 3 with a plain strategy and property 6, on fixed streams that end with the held frame', () => {
    expect(failure(() => {
      checkLimits(holds({ maxFrameLength: 40 }));
    }).message).toMatch(/payload of exactly 40 bytes in one chunk: frame 0 was complete once 42 bytes had been fed \(chunk 0 brought its last byte\)/);
    expect(failure(() => {
      checkLinearWork(holds, { numRuns: 20 });
    }).message).toMatch(late);
  });

  it('fails the vector check, whose frames must all come from decode as soon as they are complete', () => {
    const error = failure(() => {
      checkVectors(holds, { vectors: [{ name: 'hi', payload: Uint8Array.of(0x68, 0x69), wire: Uint8Array.of(0, 2, 0x68, 0x69) }] });
    });
    expect(error.message).toMatch(/vector hi \(\[00 02 68 69\]\), whole: frame 0 was complete once 4 bytes had been fed \(chunk 0 brought its last byte\)/);
  });
});

describe('a decoder that cuts frames of 129 to 249 bytes short', () => {
  it('fails property 1 given as a plain strategy: the default payloads reach every length up to 520', () => {
    // A plain strategy leaves property 3 at its own limit, so only the default payloads can
    // reach these lengths.
    const error = failure(() => {
      checkRoundTrip(u16Prefix({}, { cutsMidSizedFrames: true }));
    });
    expect(error.message).toMatch(/property "1\. .*first difference at frame \d+/s);
  });
});

describe('a strategy that ignores the limit', () => {
  it('fails property 3 when the decoder ignores it', () => {
    const error = failure(() => {
      checkLimits(brokenU16({ decoderIgnoresLimit: true }));
    });
    expect(error.message).toMatch(/property "3\. .*then a \d+-byte one .*no error/s);
  });

  it('fails property 3 when the encoder ignores it', () => {
    const error = failure(() => {
      checkLimits(brokenU16({ encoderIgnoresLimit: true }));
    });
    expect(error.message).toMatch(/property "3\. .*encoding \d+ bytes with maxFrameLength = \d+ succeeded; expected ERR_FRAME_TOO_LARGE/s);
  });

  it('fails property 3 when a delimiter scan is not bounded by the limit', () => {
    const error = failure(() => {
      checkLimits(brokenNewline({ unboundedScan: true }), newlineOptions);
    });
    expect(error.message).toMatch(/property "3\. .*waited for more bytes with \d+ bytes buffered, more than maxWireLength/s);
  });
});

describe('a discarding decoder that does not drop the rest of a line over the limit', () => {
  // Netty's discarding mode done wrong: the recoverable error is thrown, then the bytes after
  // the limit are read as a new line, so the tail of the oversized line comes out as a frame.
  const keepsRest: StrategyFactory = (options) => newline({ ...options, discard: true }, { keepsRestOfOversized: true });

  it('fails property 3, naming the frame that followed the error', () => {
    const error = failure(() => {
      checkLimits(keepsRest, newlineOptions);
    });
    expect(error.message).toMatch(/property "3\. .*after ERR_FRAME_TOO_LARGE the decoder delivered 1 frame: .*nothing followed the frame over the limit/s);
  });
});

describe('property 5 (arbitrary bytes)', () => {
  it('fails a decoder that throws a RangeError instead of a FramingError', () => {
    const error = failure(() => {
      checkArbitraryBytes(brokenU16({ rangeErrorOverLimit: true }));
    });
    expect(error.message).toMatch(/property "5\. .*decode threw RangeError: length \d+ is out of range, which is not a FramingError/s);
  });

  it('fails a decoder that throws a FramingError with a code that cannot describe bad bytes', () => {
    // A plain strategy: property 3, which checks the code, then only checks the encoder.
    const error = failure(() => {
      checkArbitraryBytes(u16Prefix({ maxFrameLength: 1000 }, { truncatedOverLimit: true }));
    });
    expect(error.message).toMatch(
      /property "5\. .*decode threw ERR_TRUNCATED_FRAME \("frame of \d+ bytes does not fit"\): only end\(\) can know that the stream ended inside a frame/s,
    );
    expect((error.cause as Error).cause).toBeInstanceOf(TruncatedFrameError);
  });

  it('fails a decoder that returns a frame without consuming bytes', () => {
    const error = failure(() => {
      checkArbitraryBytes(brokenU16({ loopOnEmpty: true }));
    });
    expect(error.message).toMatch(/property "5\. .*decode returned a frame \(\[\]\) without consuming any byte/s);
  });

  it('fails a decoder that carries on after an unrecoverable error', () => {
    const error = failure(() => {
      checkArbitraryBytes(brokenU16({ forgetsError: true }));
    });
    expect(error.message).toMatch(/property "5\. .*after the unrecoverable ERR_FRAME_TOO_LARGE .*the next decode call gave a new ERR_FRAME_TOO_LARGE/s);
  });
});

describe('other properties', () => {
  it('property 1 fails a decoder that throws away the rest of a chunk after a frame', () => {
    const error = failure(() => {
      checkRoundTrip(brokenNewline({ dropsRest: true }), newlineOptions);
    });
    expect(error.message).toMatch(/property "1\. .*first difference at frame/s);
  });

  it('property 1 fails a decoder that keeps bytes it took in an earlier call, once frames are borrowed', () => {
    const error = failure(() => {
      checkRoundTrip(brokenU16({ keepsTakenPieces: true }));
    });
    expect(error.message).toMatch(/property "1\. .*, frames borrowed.*first difference at frame/s);
  });

  it('property 2 fails an encoder that lets its delimiter through', () => {
    const error = failure(() => {
      checkSpecialPayloads(brokenNewline({ noRefusal: true }), newlineOptions);
    });
    expect(error.message).toMatch(/property "2\. .*first difference at frame/s);
  });

  it('property 2 fails a binary-safe claim the encoder does not keep', () => {
    const error = failure(() => {
      checkSpecialPayloads(newline, { ...newlineOptions, binarySafe: true });
    });
    expect(error.message).toMatch(/property "2\. .*the strategy is binary-safe but refused/s);
  });

  it('property 7 fails a length prefix, which cannot resynchronise', () => {
    const error = failure(() => {
      checkRecovery(u16Prefix, { recovers: true });
    });
    expect(error.message).toMatch(/property "7\. /);
  });

  it('the vector check fails a vector whose wire bytes are wrong', () => {
    const error = failure(() => {
      checkVectors(u16Prefix, { vectors: [{ name: 'off by one', payload: Uint8Array.of(1, 2), wire: Uint8Array.of(0, 3, 1, 2) }] });
    });
    expect(error.message).toMatch(/vector off by one: encode produced \[00 02 01 02\]; expected \[00 03 01 02\]/);
  });

  it('the vector check fails a decode-only vector the decoder reads wrong', () => {
    const error = failure(() => {
      checkVectors(u16Prefix, { vectors: [{ payload: Uint8Array.of(1), wire: Uint8Array.of(0, 2, 1, 2), direction: 'decode' }] });
    });
    expect(error.message).toMatch(/vector \[01\] \(\[00 02 01 02\]\), whole: got 1 frame: \[01 02\]; expected 1 frame: \[01\]/);
  });
});

describe('a delimiter search not bounded by the limit', () => {
  it('fails property 5 too: random bytes without a delimiter are buffered past maxWireLength', () => {
    const error = failure(() => {
      checkArbitraryBytes(brokenNewline({ unboundedScan: true }), newlineOptions);
    });
    expect(error.message).toMatch(/property "5\. .*waited for more bytes with \d+ bytes buffered, more than maxWireLength/s);
  });
});

describe('a maxWireLength that does not bound the buffer', () => {
  it('fails property 3', () => {
    const loose: StrategyFactory = (options) => ({ ...u16Prefix(options), maxWireLength: 10 * (options.maxFrameLength ?? 65535) + 2 });
    const error = failure(() => {
      checkLimits(loose);
    });
    expect(error.message).toMatch(/property "3\. .*maxWireLength is \d+: more than twice the limit/s);
  });
});
