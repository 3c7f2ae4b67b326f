import { describe, expect, it } from 'vitest';
import {
  FrameTooLargeError,
  FramingError,
  MalformedFrameError,
  MalformedHeaderError,
  TruncatedFrameError,
  UnencodablePayloadError,
  isFramingError,
  bytesText,
} from '../src/errors.js';
import type { ChunkBuffer } from '../src/chunk-buffer.js';
import { Deframer } from '../src/deframer.js';
import { DEFAULT_MAX_FRAME_LENGTH, concatBytes, encodeFrame, resolveMaxFrameLength } from '../src/framing.js';
import { u8Strategy } from './helpers/strategies.js';

describe('the FramingError family', () => {
  const cases = [
    [new FrameTooLargeError(10, 5), 'ERR_FRAME_TOO_LARGE', 'FrameTooLargeError'],
    [new MalformedHeaderError('bad digit'), 'ERR_MALFORMED_HEADER', 'MalformedHeaderError'],
    [new MalformedFrameError('bad escape'), 'ERR_MALFORMED_FRAME', 'MalformedFrameError'],
    [new TruncatedFrameError(3), 'ERR_TRUNCATED_FRAME', 'TruncatedFrameError'],
    [new UnencodablePayloadError('delimiter in payload'), 'ERR_UNENCODABLE_PAYLOAD', 'UnencodablePayloadError'],
  ] as const;

  for (const [error, code, name] of cases) {
    it(`${name} has code ${code}, its class name, and is not recoverable by default`, () => {
      expect(error).toBeInstanceOf(FramingError);
      expect(error).toBeInstanceOf(Error);
      expect(error.code).toBe(code);
      expect(error.name).toBe(name);
      expect(error.recoverable).toBe(false);
      expect(String(error)).toMatch(new RegExp(`^${name}: `));
      expect(isFramingError(error)).toBe(true);
      expect(isFramingError(error, code)).toBe(true);
      expect(isFramingError(error, code === 'ERR_FRAME_TOO_LARGE' ? 'ERR_MALFORMED_FRAME' : 'ERR_FRAME_TOO_LARGE')).toBe(false);
    });
  }

  it('FrameTooLargeError carries the numbers, in its fields and its default message', () => {
    const error = new FrameTooLargeError(9_000_000, DEFAULT_MAX_FRAME_LENGTH);
    expect(error.message).toBe('frame of 9000000 bytes exceeds the maximum frame length of 8388608 bytes');
    expect(error.length).toBe(9_000_000);
    expect(error.maxFrameLength).toBe(8_388_608);
    const huge = new FrameTooLargeError(2n ** 64n - 1n, 100);
    expect(huge.length).toBe(18446744073709551615n);
    expect(huge.message).toBe('frame of 18446744073709551615 bytes exceeds the maximum frame length of 100 bytes');
    expect(new FrameTooLargeError(2, 1).message).toBe('frame of 2 bytes exceeds the maximum frame length of 1 byte');
    expect(new FrameTooLargeError(1n, 0).message).toBe('frame of 1 byte exceeds the maximum frame length of 0 bytes');
    expect([bytesText(0), bytesText(1), bytesText(2), bytesText(1n), bytesText(1, 'header '), bytesText(3, 'header ')]).toEqual([
      '0 bytes',
      '1 byte',
      '2 bytes',
      '1 byte',
      '1 header byte',
      '3 header bytes',
    ]);
  });

  it('TruncatedFrameError carries the buffered byte count', () => {
    const error = new TruncatedFrameError(7);
    expect(error.bufferedBytes).toBe(7);
    expect(error.message).toBe('stream ended inside a frame (7 bytes of an incomplete frame received)');
  });

  it('takes a custom message, a cause and recoverable', () => {
    const cause = new Error('inner');
    const error = new MalformedFrameError('bad SLIP escape 0xdb 0x01 at byte 4', { cause, recoverable: true });
    expect(error.message).toBe('bad SLIP escape 0xdb 0x01 at byte 4');
    expect(error.cause).toBe(cause);
    expect(error.recoverable).toBe(true);
    expect('cause' in new MalformedFrameError('x')).toBe(false);
    expect(new FrameTooLargeError(1, 0, 'custom', { recoverable: true })).toMatchObject({ message: 'custom', recoverable: true });
  });

  it('isFramingError is false for other errors and non-errors', () => {
    expect(isFramingError(new RangeError('x'))).toBe(false);
    expect(isFramingError({ code: 'ERR_FRAME_TOO_LARGE' })).toBe(false);
    expect(isFramingError(undefined)).toBe(false);
  });
});

describe('framing helpers', () => {
  it('DEFAULT_MAX_FRAME_LENGTH is 8 MiB', () => {
    expect(DEFAULT_MAX_FRAME_LENGTH).toBe(8 * 1024 * 1024);
  });

  it('resolveMaxFrameLength returns the default for undefined and accepts 0 up to a safe integer', () => {
    expect(resolveMaxFrameLength(undefined)).toBe(DEFAULT_MAX_FRAME_LENGTH);
    expect(resolveMaxFrameLength(0)).toBe(0);
    expect(resolveMaxFrameLength(Number.MAX_SAFE_INTEGER)).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('resolveMaxFrameLength rejects other values with a RangeError naming the option', () => {
    expect(() => resolveMaxFrameLength(-1)).toThrow(new RangeError('maxFrameLength must be a non-negative safe integer (got -1)'));
    expect(() => resolveMaxFrameLength(1.5)).toThrow(RangeError);
    expect(() => resolveMaxFrameLength(Number.NaN)).toThrow(RangeError);
    expect(() => resolveMaxFrameLength(2 ** 53)).toThrow(RangeError);
    expect(() => resolveMaxFrameLength(-2, 'maxLineLength')).toThrow(
      new RangeError('maxLineLength must be a non-negative safe integer (got -2)'),
    );
  });

  it('encodeFrame joins the parts of one encoded payload', () => {
    const encoder = u8Strategy().createEncoder();
    expect(Array.from(encodeFrame(encoder, Uint8Array.of(7, 8)))).toEqual([2, 7, 8]);
  });

  it('concatBytes always returns a new array', () => {
    const one = Uint8Array.of(1, 2);
    const copy = concatBytes([one]);
    expect(Array.from(copy)).toEqual([1, 2]);
    expect(copy).not.toBe(one);
    expect(copy.buffer).not.toBe(one.buffer);
    expect(Array.from(concatBytes([Uint8Array.of(1), new Uint8Array(0), Uint8Array.of(2, 3)]))).toEqual([1, 2, 3]);
    expect(concatBytes([]).length).toBe(0);
    // A Node Buffer's slice() is a view: one Buffer part is still copied, into a plain array.
    const buffer = Buffer.from('hello');
    const copied = concatBytes([buffer]);
    buffer[0] = 0x4a;
    expect(Buffer.from(copied).toString()).toBe('hello');
    expect(Buffer.isBuffer(copied)).toBe(false);
  });
});

describe('errors of another copy of the package (npm nests one next to the application\'s)', () => {
  // A second instance of the module, with classes of its own, as a nested copy has (Vite loads
  // a path with another query as another module).
  const other = (): Promise<typeof import('../src/errors.js')> =>
    // @ts-expect-error -- TypeScript resolves no query; Vite does
    import('../src/errors.js?second-copy');

  it('are instances of the classes of the same name, and of no other', async () => {
    const copy = await other();
    expect(copy.FramingError).not.toBe(FramingError);
    const tooLarge = new copy.FrameTooLargeError(9, 4, undefined, { recoverable: true });
    expect(tooLarge instanceof FramingError).toBe(true);
    expect(tooLarge instanceof FrameTooLargeError).toBe(true);
    expect(tooLarge instanceof MalformedFrameError).toBe(false);
    expect(isFramingError(tooLarge)).toBe(true);
    expect(isFramingError(tooLarge, 'ERR_FRAME_TOO_LARGE')).toBe(true);
    expect(isFramingError(tooLarge, 'ERR_MALFORMED_FRAME')).toBe(false);
    // And the other way round; plain errors and look-alikes are still nothing of the kind.
    expect(new MalformedFrameError('x') instanceof copy.MalformedFrameError).toBe(true);
    expect(new MalformedFrameError('x') instanceof copy.TruncatedFrameError).toBe(false);
    const lookAlike = Object.assign(new Error('x'), { code: 'ERR_FRAME_TOO_LARGE', recoverable: true });
    expect(lookAlike instanceof FramingError).toBe(false);
    expect(isFramingError(lookAlike)).toBe(false);
    expect(isFramingError(null)).toBe(false);
    expect(new Error('x') instanceof FrameTooLargeError).toBe(false);
  });

  it('are recovered from by the Deframer when recoverable', async () => {
    const copy = await other();
    // A delimiter-like decoder whose errors come from the other copy: "!" is a bad frame it
    // has already dropped.
    const strategy = {
      name: 'bang-lines',
      createDecoder: () => ({
        decode(buffer: ChunkBuffer) {
          const at = buffer.indexOf(0x0a);
          if (at === -1) return undefined;
          const line = buffer.take(at);
          buffer.skip(1);
          if (line.length === 1 && line[0] === 0x21) throw new copy.MalformedFrameError('a bang', { recoverable: true });
          return line;
        },
        end: () => undefined,
      }),
      createEncoder: () => ({ encode: (payload: Uint8Array) => [payload, Uint8Array.of(0x0a)] }),
      maxFrameLength: 100,
      maxWireLength: 101,
    };
    const recovered: string[] = [];
    const deframer = new Deframer(strategy, { onRecoverableError: (error) => recovered.push(error.code) });
    const frames = deframer.push(new TextEncoder().encode('a\n!\nb\n'));
    expect(frames.map((frame) => new TextDecoder().decode(frame))).toEqual(['a', 'b']);
    expect(recovered).toEqual(['ERR_MALFORMED_FRAME']);
  });
});
