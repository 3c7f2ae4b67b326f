import { describe, expect, it } from 'vitest';
import type { ChunkBuffer } from '../src/chunk-buffer.js';
import { Deframer, decodeFrames, type DeframerOptions } from '../src/deframer.js';
import { FrameTooLargeError, FramingError, MalformedFrameError, TruncatedFrameError } from '../src/errors.js';
import type { FrameDecoder, FramingStrategy } from '../src/framing.js';
import { concatBytes, encodeFrame } from '../src/framing.js';
import { bytes, chunked, lineStrategy, texts, u8Strategy } from './helpers/strategies.js';

/** The wire bytes of `payloads` framed by `strategy`. */
function wire(strategy: FramingStrategy, ...payloads: string[]): Uint8Array {
  const encoder = strategy.createEncoder();
  return concatBytes(payloads.map((p) => encodeFrame(encoder, bytes(p))));
}

/** Feeds `chunks` to a fresh Deframer and returns every frame as text (push, then end). */
function decodeAll(strategy: FramingStrategy, chunks: Iterable<Uint8Array>): string[] {
  const deframer = new Deframer(strategy);
  const frames: Uint8Array[] = [];
  for (const chunk of chunks) frames.push(...deframer.push(chunk));
  frames.push(...deframer.end());
  return texts(frames);
}

/** The same bytes whole, byte by byte, and split in two at every offset. */
function everySplit(data: Uint8Array): Uint8Array[][] {
  const ways = [[data], Array.from(data, (b) => Uint8Array.of(b))];
  for (let cut = 0; cut <= data.length; cut++) ways.push([data.subarray(0, cut), data.subarray(cut)]);
  return ways;
}

/** A decoder that never completes a frame (the buffer only grows), counting its calls. */
function hoarder(): FrameDecoder & { calls: number } {
  return {
    calls: 0,
    decode(): undefined {
      this.calls++;
      return undefined;
    },
    end(buffer: ChunkBuffer): undefined {
      if (buffer.length > 0) throw new TruncatedFrameError(buffer.length);
      return undefined;
    },
  };
}

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('Deframer, array form', () => {
  const u8 = u8Strategy();

  it('returns the frames each chunk completes, in order', () => {
    const deframer = new Deframer(u8);
    const data = wire(u8, 'one', 'two', 'three');
    // "\x03one\x03two\x05three": cut inside the 2nd frame's payload and the 3rd frame's header.
    const [a, b, c] = chunked(data, 6, 4);
    expect(texts(deframer.push(a!))).toEqual(['one']);
    expect(deframer.bufferedBytes).toBe(2);
    expect(texts(deframer.push(b!))).toEqual(['two']);
    expect(texts(deframer.push(c!))).toEqual(['three']);
    expect(deframer.bufferedBytes).toBe(0);
    expect(deframer.end()).toEqual([]);
  });

  it('gives the same frames whole, byte by byte, and split at every offset', () => {
    for (const strategy of [u8, lineStrategy()]) {
      const data = wire(strategy, 'hello', '', 'world', 'x');
      for (const chunks of everySplit(data)) {
        expect(decodeAll(strategy, chunks)).toEqual(['hello', '', 'world', 'x']);
      }
    }
  });

  it('ignores empty chunks and returns an empty array while a frame is incomplete', () => {
    const deframer = new Deframer(u8);
    expect(deframer.push(new Uint8Array(0))).toEqual([]);
    expect(deframer.push(Uint8Array.of(2, 0x68))).toEqual([]);
    expect(deframer.push(new Uint8Array(0))).toEqual([]);
    expect(texts(deframer.push(Uint8Array.of(0x69)))).toEqual(['hi']);
  });

  it('exposes its receive buffer', () => {
    const deframer = new Deframer(u8);
    deframer.push(Uint8Array.of(9, 1, 2));
    expect(deframer.buffer.length).toBe(3);
    expect(deframer.buffer.readUint8(0)).toBe(9);
  });

  it('end() throws a TruncatedFrameError for the bytes of an incomplete frame', () => {
    const deframer = new Deframer(u8);
    deframer.push(Uint8Array.of(5, 1, 2));
    const error = thrown(() => deframer.end());
    expect(error).toBeInstanceOf(TruncatedFrameError);
    expect(error).toMatchObject({ code: 'ERR_TRUNCATED_FRAME', bufferedBytes: 3 });
    expect(thrown(() => deframer.end())).toBe(error);
  });

  it('end() is idempotent on a clean stream, and push() after end() is an error', () => {
    const deframer = new Deframer(u8);
    deframer.push(Uint8Array.of(0));
    expect(deframer.end()).toEqual([]);
    expect(deframer.end()).toEqual([]);
    expect(() => deframer.push(Uint8Array.of(0))).toThrow(new Error('push() after end()'));
  });

  it('delivers the frames before an error first; the next call throws it, and every later call too', () => {
    const strategy = u8Strategy({ maxFrameLength: 10 });
    const deframer = new Deframer(strategy);
    const data = concatBytes([wire(strategy, 'a', 'b'), Uint8Array.of(200)]);
    expect(texts(deframer.push(data))).toEqual(['a', 'b']);
    const error = thrown(() => deframer.push(wire(strategy, 'c')));
    expect(error).toBeInstanceOf(FrameTooLargeError);
    expect(error).toMatchObject({ code: 'ERR_FRAME_TOO_LARGE', length: 200, maxFrameLength: 10, recoverable: false });
    // The very same error object, every time.
    expect(thrown(() => deframer.push(Uint8Array.of(0)))).toBe(error);
    expect(thrown(() => deframer.end())).toBe(error);
    expect(
      thrown(() => {
        deframer.push(Uint8Array.of(0), () => undefined);
      }),
    ).toBe(error);
  });

  it('throws at once when no frame came before the error', () => {
    const deframer = new Deframer(u8Strategy({ maxFrameLength: 3 }));
    expect(() => deframer.push(Uint8Array.of(4))).toThrow(FrameTooLargeError);
  });

  it('does not call the decoder again after an unrecoverable error', () => {
    let calls = 0;
    const decoder: FrameDecoder = {
      decode() {
        calls++;
        throw new FrameTooLargeError(99, 1);
      },
      end: () => undefined,
    };
    const deframer = new Deframer(decoder);
    expect(() => deframer.push(Uint8Array.of(1))).toThrow(FrameTooLargeError);
    expect(() => deframer.push(Uint8Array.of(1))).toThrow(FrameTooLargeError);
    expect(() => deframer.end()).toThrow(FrameTooLargeError);
    expect(calls).toBe(1);
  });

  it('treats an error thrown by the decoder that is not a FramingError as fatal too', () => {
    const boom = new TypeError('decoder bug');
    const deframer = new Deframer({ decode: () => { throw boom; }, end: () => undefined });
    expect(() => deframer.push(Uint8Array.of(1))).toThrow(boom);
    expect(() => deframer.end()).toThrow(boom);
  });
});

describe('Deframer, callback form', () => {
  const u8 = u8Strategy({ maxFrameLength: 10 });

  it('calls back with each frame the chunk completed', () => {
    const deframer = new Deframer(u8);
    const seen: Uint8Array[] = [];
    deframer.push(wire(u8, 'x', 'yz'), (frame) => seen.push(frame));
    expect(texts(seen)).toEqual(['x', 'yz']);
    deframer.end((frame) => seen.push(frame));
    expect(seen).toHaveLength(2);
  });

  it('calls back with the frames before an error, then throws it from the same call', () => {
    const deframer = new Deframer(u8);
    const seen: Uint8Array[] = [];
    const data = concatBytes([wire(u8, 'a', 'b'), Uint8Array.of(11)]);
    const error = thrown(() => {
      deframer.push(data, (frame) => seen.push(frame));
    });
    expect(texts(seen)).toEqual(['a', 'b']);
    expect(error).toMatchObject({ code: 'ERR_FRAME_TOO_LARGE', length: 11 });
    expect(
      thrown(() => {
        deframer.push(wire(u8, 'c'), (frame) => seen.push(frame));
      }),
    ).toBe(error);
    expect(seen).toHaveLength(2);
  });

  it.each([
    ['an Error', new Error('handler failed')],
    ["a recoverable FramingError of the caller's own", new MalformedFrameError('inner payload invalid', { recoverable: true })],
    ['a value that is not an Error', { reason: 'not an Error' }],
  ])('an exception thrown by onFrame (%s) ends the stream: later calls rethrow it as thrown', (_what, bug) => {
    // With onRecoverableError set: what the callback throws is never the handler's.
    const reported: FramingError[] = [];
    const deframer = new Deframer(u8, { onRecoverableError: (error) => reported.push(error) });
    const seen: string[] = [];
    const error = thrown(() => {
      deframer.push(wire(u8, 'a', 'b', 'c'), (frame) => {
        seen.push(texts([frame])[0]!);
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- a non-Error among them, on purpose
        if (seen.length === 2) throw bug;
      });
    });
    expect(error).toBe(bug);
    expect(seen).toEqual(['a', 'b']);
    expect(reported).toEqual([]);
    expect(thrown(() => deframer.push(wire(u8, 'd')))).toBe(bug);
    expect(thrown(() => deframer.end())).toBe(bug);
  });

  it('end(onFrame) throws a TruncatedFrameError after the complete frames', () => {
    const deframer = new Deframer(u8);
    const seen: Uint8Array[] = [];
    deframer.push(concatBytes([wire(u8, 'ok'), Uint8Array.of(3, 1)]), (frame) => seen.push(frame));
    expect(() => {
      deframer.end((frame) => seen.push(frame));
    }).toThrow(TruncatedFrameError);
    expect(texts(seen)).toEqual(['ok']);
  });
});

describe('Deframer, borrowed frames', () => {
  const u8 = u8Strategy({ maxFrameLength: 10 });
  const payloads = ['hello', 'a', 'framewire', 'xyz', 'borrowed'];

  it('delivers the same frames as the owned form in every chunking, when read inside onFrame', () => {
    const data = wire(u8, ...payloads);
    for (const chunks of everySplit(data)) {
      const deframer = new Deframer(u8, { borrowed: true });
      const seen: string[] = [];
      const onFrame = (frame: Uint8Array): void => {
        seen.push(texts([frame])[0]!);
      };
      for (const chunk of chunks) deframer.push(chunk, onFrame);
      deframer.end(onFrame);
      expect(seen).toEqual(payloads);
    }
  });

  it('lends spanning frames from one reused array: a frame kept past onFrame is overwritten', () => {
    const deframer = new Deframer(u8, { borrowed: true });
    const kept: Uint8Array[] = [];
    const copies: Uint8Array[] = [];
    // One byte per chunk: every frame spans chunks.
    for (const chunk of chunked(wire(u8, 'abc', 'xyz'), ...Array<number>(8).fill(1))) {
      deframer.push(chunk, (frame) => {
        kept.push(frame);
        copies.push(frame.slice());
      });
    }
    expect(texts(copies)).toEqual(['abc', 'xyz']);
    expect(kept[1]!.buffer).toBe(kept[0]!.buffer);
    expect(texts(kept)).toEqual(['xyz', 'xyz']);
  });

  it('refuses the array forms, which hand frames on after the call, with a TypeError and without taking the chunk', () => {
    const deframer = new Deframer(u8, { borrowed: true });
    const message = /^the array forms of push\(\) and end\(\) cannot lend frames/;
    expect(() => deframer.push(wire(u8, 'a'))).toThrow(TypeError);
    expect(() => deframer.push(wire(u8, 'b'))).toThrow(message);
    expect(() => deframer.end()).toThrow(message);
    // A refused call does nothing: the stream goes on with the callback form.
    const seen: Uint8Array[] = [];
    deframer.push(wire(u8, 'c'), (frame) => seen.push(frame));
    deframer.end((frame) => seen.push(frame));
    expect(texts(seen)).toEqual(['c']);
  });

  it('decodeFrames refuses borrowed at the call, before reading the source', () => {
    let read = false;
    const source = {
      *[Symbol.iterator]() {
        read = true;
        yield wire(u8, 'a');
      },
    };
    expect(() => decodeFrames(source, u8, { borrowed: true })).toThrow(/^decodeFrames\(\) cannot lend frames/);
    expect(read).toBe(false);
  });
});

describe('Deframer, recoverable errors', () => {
  const line = lineStrategy({ maxFrameLength: 5 });

  it('with onRecoverableError: reports the error and goes on with the next frame', () => {
    const errors: FramingError[] = [];
    const deframer = new Deframer(line, { onRecoverableError: (error) => errors.push(error) });
    expect(texts(deframer.push(bytes('ok\ntoo long\nfine\n')))).toEqual(['ok', 'fine']);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(FrameTooLargeError);
    expect(errors[0]).toMatchObject({ code: 'ERR_FRAME_TOO_LARGE', recoverable: true, maxFrameLength: 5 });
  });

  it('with onRecoverableError: an over-long line split over 1-byte chunks is dropped once', () => {
    const errors: FramingError[] = [];
    const deframer = new Deframer(line, { onRecoverableError: (error) => errors.push(error) });
    const frames: Uint8Array[] = [];
    for (const b of bytes('a\nlonger than five\nb\n')) frames.push(...deframer.push(Uint8Array.of(b)));
    frames.push(...deframer.end());
    expect(texts(frames)).toEqual(['a', 'b']);
    expect(errors).toHaveLength(1);
  });

  it('with onRecoverableError: bad frames back to back are each reported, and decoding goes on', () => {
    const errors: FramingError[] = [];
    const deframer = new Deframer(line, { onRecoverableError: (error) => errors.push(error) });
    expect(texts(deframer.push(bytes('too long\nlonger still\nok\n')))).toEqual(['ok']);
    expect(errors).toHaveLength(2);
  });

  /**
   * A decoder that takes one byte as a frame, then throws recoverable errors without consuming
   * anything: a contract breach the loop used to answer by calling it forever. From the 1000th
   * call on it throws an Error of its own, so that the loop ends (with that error) rather than
   * hangs when it does not catch the breach.
   */
  function stuck(where: 'decode' | 'end'): FrameDecoder & { calls: number } {
    const guard = (): void => {
      if (++decoder.calls >= 1000) throw new Error('called 1000 times: the loop did not stop');
    };
    const decoder = {
      calls: 0,
      decode(buffer: ChunkBuffer): Uint8Array | undefined {
        guard();
        if (decoder.calls === 1 && buffer.length > 0) return buffer.take(1);
        if (where === 'end') return undefined;
        throw new MalformedFrameError('bad frame (not dropped)', { recoverable: true });
      },
      end(): undefined {
        guard();
        throw new MalformedFrameError('bad last frame (not dropped)', { recoverable: true });
      },
    };
    return decoder;
  }
  /**
   * Callback form, with a handler for recoverable errors: pushing "abc" gives onFrame the frame
   * "a", then throws an error matching `message`, which every later push rethrows.
   */
  function expectCallbackFormEnds(decoder: FrameDecoder, message: RegExp): void {
    const seen: Uint8Array[] = [];
    const deframer = new Deframer(decoder, { onRecoverableError: () => undefined });
    const raised = thrown(() => {
      deframer.push(bytes('abc'), (frame) => seen.push(frame));
    });
    expect(texts(seen)).toEqual(['a']);
    expect((raised as Error).message).toMatch(message);
    expect(thrown(() => deframer.push(bytes('d')))).toBe(raised);
  }
  const breach = /^the decoder broke the framing contract: it threw a recoverable MalformedFrameError again without consuming a byte since the last one \(2 bytes buffered\)/;

  it('a decoder that throws recoverable errors without consuming a byte ends the stream, after the frames before it', () => {
    const errors: FramingError[] = [];
    // Array form: the frame before it is returned; the next call throws the breach, and every later one.
    const decoder = stuck('decode');
    const deframer = new Deframer(decoder, { onRecoverableError: (error) => errors.push(error) });
    expect(texts(deframer.push(bytes('abc')))).toEqual(['a']);
    const error = thrown(() => deframer.push(bytes('d')));
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(FramingError);
    expect((error as Error).message).toMatch(breach);
    expect((error as Error).cause).toBeInstanceOf(MalformedFrameError);
    expect((error as Error).cause).toMatchObject({ message: 'bad frame (not dropped)', recoverable: true });
    expect(errors).toHaveLength(1); // the first error went to the handler; the second ended the stream
    expect(thrown(() => deframer.end())).toBe(error);
    expect(decoder.calls).toBe(3);
    // Callback form: onFrame saw the frame, then the call throws the breach.
    expectCallbackFormEnds(stuck('decode'), breach);
  });

  it('so does a decoder whose end() throws recoverable errors without consuming a byte', () => {
    const decoder = stuck('end');
    const errors: FramingError[] = [];
    const deframer = new Deframer(decoder, { onRecoverableError: (error) => errors.push(error) });
    expect(texts(deframer.push(bytes('abc')))).toEqual(['a']);
    const error = thrown(() => deframer.end());
    expect((error as Error).message).toMatch(breach);
    expect((error as Error).cause).toMatchObject({ message: 'bad last frame (not dropped)', recoverable: true });
    expect(errors).toHaveLength(1);
    expect(thrown(() => deframer.end())).toBe(error);
  });

  it('a decoder that returns a frame without consuming a byte ends the stream, after the frames before it', () => {
    // Takes one byte as a frame, then returns a view without taking it, over and over: from the
    // 1000th call on it throws, so the loop ends (with that error) rather than hangs without the check.
    const repeating = (): FrameDecoder & { calls: number } => {
      const decoder = {
        calls: 0,
        decode(buffer: ChunkBuffer): Uint8Array | undefined {
          if (++decoder.calls >= 1000) throw new Error('called 1000 times: the loop did not stop');
          if (buffer.length === 0) return undefined;
          return decoder.calls === 1 ? buffer.take(1) : buffer.peek(0, 1);
        },
        end: (): undefined => undefined,
      };
      return decoder;
    };
    const contract = /^the decoder broke the framing contract: decode\(\) returned a frame without consuming a byte \(2 bytes buffered\)/;
    // Array form: the frame before it is returned; the next call throws, and every later one.
    const decoder = repeating();
    const deframer = new Deframer(decoder);
    expect(texts(deframer.push(bytes('abc')))).toEqual(['a']);
    const error = thrown(() => deframer.push(bytes('d')));
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(FramingError);
    expect((error as Error).message).toMatch(contract);
    expect(decoder.calls).toBe(2);
    expect(thrown(() => deframer.end())).toBe(error);
    // Callback form: onFrame saw the frame, then the call throws; a handler for recoverable errors changes nothing.
    expectCallbackFormEnds(repeating(), contract);
  });

  it('bytes pushed from inside onFrame are not taken for a frame without bytes', () => {
    // onFrame pushes exactly as many bytes as the next frame consumes: the buffered length is
    // the same before and after that decode call's frame, yet each frame removed its bytes.
    const deframer = new Deframer(u8Strategy());
    const seen: string[] = [];
    deframer.push(Uint8Array.of(1, 0x61, 1, 0x62), (frame) => {
      seen.push(...texts([frame]));
      if (seen.length === 1) deframer.buffer.push(Uint8Array.of(1, 0x63));
    });
    expect(seen).toEqual(['a', 'b', 'c']);
  });

  it('without a handler, array form: frames first, then the error; decoding goes on and no byte is lost', () => {
    const deframer = new Deframer(line);
    expect(texts(deframer.push(bytes('ok\ntoo long\nfi')))).toEqual(['ok']);
    const error = thrown(() => deframer.push(bytes('ne\nnext\n')));
    expect(error).toMatchObject({ code: 'ERR_FRAME_TOO_LARGE', recoverable: true });
    // The chunk given to the call that threw was kept: its frames come with the next call.
    expect(texts(deframer.push(bytes('last\n')))).toEqual(['fine', 'next', 'last']);
    expect(deframer.end()).toEqual([]);
  });

  it('without a handler, callback form: the error is thrown, then the rest is delivered by later calls', () => {
    const deframer = new Deframer(line);
    const seen: Uint8Array[] = [];
    const onFrame = (frame: Uint8Array) => seen.push(frame);
    expect(() => {
      deframer.push(bytes('ok\ntoo long\nfine\n'), onFrame);
    }).toThrow(FrameTooLargeError);
    expect(texts(seen)).toEqual(['ok']);
    deframer.end(onFrame);
    expect(texts(seen)).toEqual(['ok', 'fine']);
  });

  it('a recoverable error met by end() itself: the next end() decodes the bytes after it', () => {
    const deframer = new Deframer(line);
    const seen: Uint8Array[] = [];
    const onFrame = (frame: Uint8Array) => seen.push(frame);
    expect(() => {
      deframer.push(bytes('too long\nok\ntoo long\nend\n'), onFrame);
    }).toThrow(FrameTooLargeError);
    expect(texts(seen)).toEqual([]);
    expect(() => {
      deframer.end(onFrame);
    }).toThrow(FrameTooLargeError);
    expect(texts(seen)).toEqual(['ok']);
    deframer.end(onFrame);
    expect(texts(seen)).toEqual(['ok', 'end']);
    deframer.end(onFrame);
    expect(texts(seen)).toEqual(['ok', 'end']);
    expect(() => deframer.push(bytes('x\n'))).toThrow('push() after end()');
  });

  it('array form: end() returns the frames before a recoverable error, throws it next, then decodes the rest', () => {
    const deframer = new Deframer(line);
    expect(() => deframer.push(bytes('too long\nok\ntoo long\nend\n'))).toThrow(FrameTooLargeError);
    expect(texts(deframer.end())).toEqual(['ok']);
    expect(() => deframer.end()).toThrow(FrameTooLargeError);
    expect(texts(deframer.end())).toEqual(['end']);
    expect(deframer.end()).toEqual([]);
  });

  it.each([
    ['an Error of its own', () => new Error('giving up')],
    ['the recoverable error it was given', (error: FramingError) => error],
  ])('an exception thrown by onRecoverableError (%s) ends the stream, after the frames before it', (_what, pick) => {
    let raised: unknown;
    const options = {
      onRecoverableError: (error: FramingError) => {
        throw (raised = pick(error));
      },
    };
    // Array form: the frames before it are returned, then every later call throws it.
    const deframer = new Deframer(line, options);
    expect(texts(deframer.push(bytes('a\ntoo long\nb\n')))).toEqual(['a']);
    expect(raised).toBeInstanceOf(Error);
    expect(thrown(() => deframer.push(bytes('c\n')))).toBe(raised);
    expect(thrown(() => deframer.end())).toBe(raised);
    // Callback form: onFrame sees the frames before it, then this call and every later one throw it.
    const withCallback = new Deframer(line, options);
    const seen: Uint8Array[] = [];
    const onFrame = (frame: Uint8Array) => seen.push(frame);
    expect(
      thrown(() => {
        withCallback.push(bytes('a\ntoo long\nb\n'), onFrame);
      }),
    ).toBe(raised);
    expect(texts(seen)).toEqual(['a']);
    expect(
      thrown(() => {
        withCallback.end(onFrame);
      }),
    ).toBe(raised);
    expect(texts(seen)).toEqual(['a']);
  });

  it('end() after a pending recoverable error throws it, then finishes on the next end()', () => {
    const deframer = new Deframer(line);
    expect(texts(deframer.push(bytes('ok\ntoo long\nend\n')))).toEqual(['ok']);
    expect(() => deframer.end()).toThrow(FrameTooLargeError);
    expect(texts(deframer.end())).toEqual(['end']);
  });
});

describe('Deframer, maxBufferedBytes', () => {
  it('fails with ERR_FRAME_TOO_LARGE once more than maxBufferedBytes wait for a frame', () => {
    const u8 = u8Strategy();
    const deframer = new Deframer(u8, { maxBufferedBytes: 10 });
    // A header announcing 200 bytes: the decoder waits, the buffer grows to the cap.
    expect(deframer.push(Uint8Array.of(200, ...new Array<number>(9).fill(1)))).toEqual([]);
    expect(deframer.bufferedBytes).toBe(10);
    const error = thrown(() => deframer.push(Uint8Array.of(1)));
    expect(error).toBeInstanceOf(FrameTooLargeError);
    expect(error).toMatchObject({ code: 'ERR_FRAME_TOO_LARGE', length: 11, maxFrameLength: 10, recoverable: false });
    expect((error as Error).message).toBe('buffered 11 bytes without completing a frame, over the cap of 10 bytes');
    expect(thrown(() => deframer.push(Uint8Array.of(1)))).toBe(error);
  });

  it('counts only bytes left after the frames a chunk completed, and delivers those frames first', () => {
    const u8 = u8Strategy();
    const deframer = new Deframer(u8, { maxBufferedBytes: 4 });
    // 3 complete frames (12 bytes) then a 5-byte partial frame in one chunk.
    const data = concatBytes([wire(u8, 'abc', 'def', 'ghi'), Uint8Array.of(9, 1, 2, 3, 4)]);
    expect(texts(deframer.push(data))).toEqual(['abc', 'def', 'ghi']);
    expect(() => deframer.push(new Uint8Array(0))).toThrow(FrameTooLargeError);
  });

  it("defaults to the strategy's maxWireLength", () => {
    const decoder = hoarder();
    const strategy: FramingStrategy = {
      name: 'hoard',
      maxFrameLength: 90,
      maxWireLength: 100,
      createDecoder: () => decoder,
      createEncoder: () => ({ encode: (payload) => [payload] }),
    };
    const deframer = new Deframer(strategy);
    deframer.push(new Uint8Array(100));
    expect(() => deframer.push(new Uint8Array(1))).toThrow(
      new FrameTooLargeError(101, 100, 'buffered 101 bytes without completing a frame, over the cap of 100 bytes'),
    );
  });

  it("takes a strategy's maxWireLength past 2^53 as Number.MAX_SAFE_INTEGER, and names a bad one", () => {
    const u8 = u8Strategy();
    const strategy = (maxWireLength: number): FramingStrategy => ({
      name: 'huge',
      maxFrameLength: Number.MAX_SAFE_INTEGER,
      maxWireLength,
      createDecoder: () => u8.createDecoder(),
      createEncoder: () => u8.createEncoder(),
    });
    const deframer = new Deframer(strategy(Number.MAX_SAFE_INTEGER + 9));
    expect(texts(deframer.push(wire(u8, 'ok')))).toEqual(['ok']);
    expect(() => new Deframer(strategy(Number.NaN))).toThrow(
      new RangeError("the strategy's maxWireLength must be a positive safe integer (got NaN)"),
    );
  });

  it('defaults to 8 MiB + 64 KiB for a bare decoder', () => {
    const deframer = new Deframer(hoarder());
    deframer.push(new Uint8Array(8 * 1024 * 1024 + 64 * 1024));
    expect(() => deframer.push(new Uint8Array(1))).toThrow(/over the cap of 8454144 bytes/);
  });

  it('rejects a maxBufferedBytes that is not a positive safe integer, naming it', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, 2 ** 53]) {
      expect(() => new Deframer(u8Strategy(), { maxBufferedBytes: bad })).toThrow(
        new RangeError(`maxBufferedBytes must be a positive safe integer (got ${bad})`),
      );
    }
  });
});

describe('Deframer, maxBufferedBytes while recoverable errors are thrown without a handler', () => {
  // Resynchronises one bad byte at a time: a frame is 0xaa and 3 bytes; any other byte at the
  // front is dropped and reported as a recoverable error, as the contract allows.
  const resync = (): FrameDecoder => ({
    decode(buffer: ChunkBuffer): Uint8Array | undefined {
      if (buffer.length === 0) return undefined;
      if (buffer.byteAt(0) !== 0xaa) {
        buffer.skip(1);
        throw new MalformedFrameError('bad byte', { recoverable: true });
      }
      return buffer.length >= 4 ? buffer.take(4) : undefined;
    },
    end: () => undefined,
  });
  const garbage = (): Uint8Array => new Uint8Array(50);

  for (const form of ['array', 'callback'] as const) {
    it(`${form} form: bad bytes faster than one per call do not grow the buffer past the cap (fuzz)`, () => {
      const deframer = new Deframer(resync(), { maxBufferedBytes: 100 });
      const push = (chunk: Uint8Array): void => {
        if (form === 'array') deframer.push(chunk);
        else deframer.push(chunk, () => undefined);
      };
      let failure: unknown;
      let most = 0;
      for (let i = 0; i < 1000 && failure === undefined; i++) {
        try {
          push(garbage());
        } catch (error) {
          if (!(error instanceof FramingError && error.recoverable)) failure = error;
        }
        most = Math.max(most, deframer.bufferedBytes);
      }
      // Each call dropped one byte and kept 49: the buffer grew to 49,000 bytes, past a cap of 100.
      expect(failure).toBeInstanceOf(FrameTooLargeError);
      expect(failure).toMatchObject({ code: 'ERR_FRAME_TOO_LARGE', recoverable: false, maxFrameLength: 100 });
      expect((failure as Error).cause).toBeInstanceOf(MalformedFrameError);
      expect((failure as Error).message).toMatch(/^buffered \d+ bytes, over the cap of 100 bytes plus 16 chunks of 50 bytes/);
      // The cap, 16 chunks of slack and the chunk of the call that ended the stream.
      expect(most).toBeLessThanOrEqual(100 + 17 * 50);
      expect(
        thrown(() => {
          push(garbage());
        }),
      ).toBe(failure);
    });
  }

  it('an isolated bad frame in a chunk larger than the cap is still only reported', () => {
    const line = lineStrategy({ maxFrameLength: 4 });
    for (const form of ['array', 'callback'] as const) {
      const deframer = new Deframer(line);
      const seen: string[] = [];
      const push = (chunk: Uint8Array) => {
        if (form === 'array') seen.push(...texts(deframer.push(chunk)));
        else deframer.push(chunk, (frame) => seen.push(...texts([frame])));
      };
      const errors: unknown[] = [];
      for (const chunk of ['a\nb\ntoo long\nc\nd\ne\nf\ng\n', 'h\ni\nj\nk\n', 'l\n', 'm\n']) {
        try {
          push(bytes(chunk));
        } catch (error) {
          errors.push(error);
        }
      }
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ code: 'ERR_FRAME_TOO_LARGE', recoverable: true });
      expect(seen).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm']);
    }
  });

  it('a burst of bad frames in chunks larger than the cap is caught up once it stops', () => {
    // Three over-long lines in each of two chunks, each chunk many times the cap of 5 bytes: the
    // calls fall behind by several chunks, then decode everything once the lines are good again.
    const good = (from: number, n: number) => Array.from({ length: n }, (_, i) => `${from + i}`.slice(-4));
    const chunkOf = (lines: string[]) => bytes(lines.map((line) => `${line}\n`).join(''));
    const chunks = [
      chunkOf([...good(0, 20), 'too long 1', ...good(20, 20), 'too long 2', 'too long 3', ...good(40, 20)]),
      chunkOf([...good(60, 20), 'too long 4', 'too long 5', ...good(80, 20), 'too long 6']),
      ...Array.from({ length: 16 }, (_, i) => chunkOf(good(100 + 20 * i, 20))),
    ];
    for (const form of ['array', 'callback'] as const) {
      const deframer = new Deframer(lineStrategy({ maxFrameLength: 4 }));
      const seen: string[] = [];
      const errors: unknown[] = [];
      for (const chunk of chunks) {
        try {
          if (form === 'array') seen.push(...texts(deframer.push(chunk)));
          else deframer.push(chunk, (frame) => seen.push(...texts([frame])));
        } catch (error) {
          errors.push(error);
        }
      }
      expect(errors.map((error) => (error as FramingError).recoverable)).toEqual([true, true, true, true, true, true]);
      expect(seen).toEqual(good(0, 420));
      expect(deframer.bufferedBytes).toBe(0);
    }
  });
});

describe('Deframer, a decoder that throws something that is not an Error', () => {
  it('raises an Error with the thrown value as its cause, and raises it again on every later call', () => {
    const value = { reason: 'decoder gave up' };
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- a non-Error, on purpose
    const deframer = new Deframer({ decode: () => { throw value; }, end: () => undefined });
    const first = thrown(() => deframer.push(bytes('x')));
    expect(first).toBeInstanceOf(Error);
    expect((first as Error).message).toBe('[object Object]');
    expect((first as Error).cause).toBe(value);
    expect(() => deframer.push(bytes('y'))).toThrow(first);
  });

  it('does so for a value with no string form too (the engine\'s TypeError replaced it, and decoding went on)', () => {
    const value: unknown = Object.create(null);
    let decodes = 0;
    const deframer = new Deframer({
      decode: () => {
        decodes++;
        throw value;
      },
      end: () => undefined,
    });
    const first = thrown(() => deframer.push(bytes('x')));
    expect(first).toBeInstanceOf(Error);
    expect((first as Error).message).toBe('[object Object]');
    expect((first as Error).cause).toBe(value);
    expect(() => deframer.push(bytes('y'))).toThrow(first);
    expect(() => deframer.end()).toThrow(first);
    expect(decodes).toBe(1);
  });
});

describe('Deframer, arguments', () => {
  it('refuses what is neither a strategy nor a decoder, and bad options, with a TypeError naming them', () => {
    const u8 = u8Strategy();
    const make = (strategy: unknown, options?: unknown) => () => new Deframer(strategy as FrameDecoder, options as DeframerOptions);
    for (const [bad, got] of [[null, 'null'], [undefined, 'undefined'], ['u8', 'string'], [{}, 'Object']] as const) {
      expect(make(bad)).toThrow(
        new TypeError(`Deframer needs a framing strategy (with createDecoder) or a decoder (with decode); got ${got}`),
      );
    }
    expect(make(u8, null)).toThrow(new TypeError('Deframer options must be an object (got null)'));
    expect(make(u8, { onRecoverableError: 'log' })).toThrow(new TypeError('onRecoverableError must be a function (got string)'));
    // A bare decoder, and a strategy with a handler, are taken.
    expect(new Deframer(u8.createDecoder()).push(wire(u8, 'a'))).toEqual([bytes('a')]);
    expect(new Deframer(u8, { onRecoverableError: () => undefined }).push(wire(u8, 'b'))).toEqual([bytes('b')]);
  });
});

describe('Deframer, strategies and decoders that are not what they say', () => {
  const u8 = u8Strategy();
  const make = (strategy: unknown) => () => new Deframer(strategy as FrameDecoder);
  const decode = (): undefined => undefined;

  it('refuses a createDecoder that is not a function, even next to a decode (it was taken for a strategy, and failed in the engine)', () => {
    expect(make({ createDecoder: 5, decode })).toThrow(new TypeError('createDecoder must be a function (got number)'));
    expect(make({ createDecoder: 1 })).toThrow(new TypeError('createDecoder must be a function (got number)'));
  });

  it('refuses a decoder with no end() at construction (it failed only at end())', () => {
    expect(make({ decode })).toThrow(new TypeError('the decoder has no end() method (got undefined)'));
    expect(make({ decode, end: 'soon' })).toThrow(new TypeError('the decoder has no end() method (got string)'));
    expect(make({ decode: 1, end: decode })).toThrow(new TypeError('the decoder has no decode() method (got number)'));
  });

  it("checks what the strategy's createDecoder() returns, once, at construction", () => {
    const strategy = (made: unknown) => ({ ...u8, createDecoder: () => made });
    expect(make(strategy(undefined))).toThrow(
      new TypeError("the decoder from the strategy's createDecoder() is not an object with decode() and end() methods (got undefined)"),
    );
    expect(make(strategy({ decode }))).toThrow(
      new TypeError("the decoder from the strategy's createDecoder() has no end() method (got undefined)"),
    );
    expect(make(strategy({ end: decode }))).toThrow(
      new TypeError("the decoder from the strategy's createDecoder() has no decode() method (got undefined)"),
    );
    let made = 0;
    const counted = { ...u8, createDecoder: () => (made++, u8.createDecoder()) };
    const deframer = new Deframer(counted);
    expect(texts(deframer.push(wire(u8, 'a', 'b')))).toEqual(['a', 'b']);
    expect(deframer.end()).toEqual([]);
    expect(made).toBe(1);
  });

  it('takes a decoder with a createDecoder left undefined as a decoder', () => {
    const decoder = u8.createDecoder();
    const deframer = new Deframer({
      createDecoder: undefined,
      decode: (b: ChunkBuffer) => decoder.decode(b),
      end: (b: ChunkBuffer) => decoder.end(b),
    });
    expect(texts(deframer.push(wire(u8, 'x')))).toEqual(['x']);
  });
});

describe('decodeFrames', () => {
  const u8 = u8Strategy({ maxFrameLength: 10 });

  it('yields the frames of an iterable of chunks', () => {
    const chunks = chunked(wire(u8, 'ab', 'cde', ''), 1, 1, 3, 1);
    expect(texts(decodeFrames(chunks, u8))).toEqual(['ab', 'cde', '']);
  });

  it('accepts a bare decoder', () => {
    expect(texts(decodeFrames([wire(u8, 'q')], u8.createDecoder()))).toEqual(['q']);
  });

  it('yields each frame before reading the next chunk', () => {
    const log: string[] = [];
    function* source(): Generator<Uint8Array> {
      log.push('read 1');
      yield wire(u8, 'first');
      log.push('read 2');
      yield wire(u8, 'second');
    }
    for (const frame of decodeFrames(source(), u8)) log.push(texts([frame])[0]!);
    expect(log).toEqual(['read 1', 'first', 'read 2', 'second']);
  });

  it('throws after every frame before the error was yielded', () => {
    const seen: string[] = [];
    const error = thrown(() => {
      for (const frame of decodeFrames([concatBytes([wire(u8, 'a', 'b'), Uint8Array.of(50)])], u8)) {
        seen.push(texts([frame])[0]!);
      }
    });
    expect(seen).toEqual(['a', 'b']);
    expect(error).toMatchObject({ code: 'ERR_FRAME_TOO_LARGE', length: 50 });
  });

  it('raises an error that follows frames in a chunk without reading the source again, and closes it', () => {
    let reads = 0;
    let closed = false;
    const source: Iterable<Uint8Array> = {
      [Symbol.iterator]: () => ({
        next: () => {
          reads++;
          return { value: reads === 1 ? concatBytes([wire(u8, 'a', 'b'), Uint8Array.of(50)]) : wire(u8, 'never'), done: false };
        },
        return: () => {
          closed = true;
          return { value: undefined, done: true };
        },
      }),
    };
    const seen: string[] = [];
    const error = thrown(() => {
      for (const frame of decodeFrames(source, u8)) seen.push(texts([frame])[0]!);
    });
    expect(seen).toEqual(['a', 'b']);
    expect(error).toMatchObject({ code: 'ERR_FRAME_TOO_LARGE', length: 50 });
    expect(reads).toBe(1);
    expect(closed).toBe(true);
  });

  it('throws a TruncatedFrameError at the end of a stream that stops inside a frame', () => {
    const seen: string[] = [];
    const error = thrown(() => {
      for (const frame of decodeFrames([wire(u8, 'whole'), Uint8Array.of(4, 1)], u8)) seen.push(texts([frame])[0]!);
    });
    expect(seen).toEqual(['whole']);
    expect(error).toMatchObject({ code: 'ERR_TRUNCATED_FRAME', bufferedBytes: 2 });
  });

  it('stops reading the source when the consumer breaks out', () => {
    let reads = 0;
    let finished = false;
    function* source(): Generator<Uint8Array> {
      try {
        for (let i = 0; i < 100; i++) {
          reads++;
          yield wire(u8, `#${i}`);
        }
      } finally {
        finished = true;
      }
    }
    for (const frame of decodeFrames(source(), u8)) {
      if (texts([frame])[0] === '#2') break;
    }
    expect(finished).toBe(true);
    expect(reads).toBe(3);
  });

  it('closes the source when decoding fails, and stays done', () => {
    let finished = false;
    function* source(): Generator<Uint8Array> {
      try {
        yield wire(u8, 'ok');
        yield Uint8Array.of(50);
        yield wire(u8, 'never');
      } finally {
        finished = true;
      }
    }
    const frames = decodeFrames(source(), u8);
    const seen: string[] = [];
    const error = thrown(() => {
      for (const frame of frames) seen.push(texts([frame])[0]!);
    });
    expect(seen).toEqual(['ok']);
    expect(error).toMatchObject({ code: 'ERR_FRAME_TOO_LARGE' });
    expect(finished).toBe(true);
    expect(frames.next()).toEqual({ value: undefined, done: true });
  });

  it('throw() closes the source and throws the error given; return() first reads nothing', () => {
    let finished = false;
    let reads = 0;
    function* source(): Generator<Uint8Array> {
      try {
        reads++;
        yield wire(u8, 'a', 'b');
      } finally {
        finished = true;
      }
    }
    const frames = decodeFrames(source(), u8);
    expect(texts([frames.next().value as Uint8Array])).toEqual(['a']);
    const stop = new Error('stop');
    expect(thrown(() => frames.throw(stop))).toBe(stop);
    expect(finished).toBe(true);
    expect(frames.next()).toEqual({ value: undefined, done: true });

    const unread = decodeFrames(source(), u8);
    expect(unread.return()).toEqual({ value: undefined, done: true });
    expect(unread.next()).toEqual({ value: undefined, done: true });
    expect(reads).toBe(1);
  });

  it('an error of the source closing does not hide the error it was closed for, as in a function*', () => {
    const source = (): Iterable<Uint8Array> => ({
      [Symbol.iterator]: () => ({
        next: () => ({ value: concatBytes([wire(u8, 'a', 'b'), Uint8Array.of(50)]), done: false }),
        return: () => {
          throw new Error('close failed');
        },
      }),
    });
    const seen: string[] = [];
    const error = thrown(() => {
      for (const frame of decodeFrames(source(), u8)) seen.push(texts([frame])[0]!);
    });
    expect(seen).toEqual(['a', 'b']);
    expect(error).toMatchObject({ code: 'ERR_FRAME_TOO_LARGE', length: 50 });
    // throw(): the error given.
    const frames = decodeFrames(source(), u8);
    frames.next();
    const stop = new Error('stop');
    expect(thrown(() => frames.throw(stop))).toBe(stop);
    expect(frames.next()).toEqual({ value: undefined, done: true });
  });

  it('ends the iteration when the source fails to give an iterator', () => {
    let calls = 0;
    const source: Iterable<Uint8Array> = {
      [Symbol.iterator]: () => {
        if (++calls === 1) throw new TypeError('source is locked');
        return [wire(u8, 'late')][Symbol.iterator]();
      },
    };
    const frames = decodeFrames(source, u8);
    expect(thrown(() => frames.next())).toMatchObject({ name: 'TypeError', message: 'source is locked' });
    expect(frames.next()).toEqual({ value: undefined, done: true });
    expect(calls).toBe(1);
  });

  it('passes options on (onRecoverableError)', () => {
    const errors: FramingError[] = [];
    const frames = decodeFrames([bytes('a\n12345678\nb\n')], lineStrategy({ maxFrameLength: 4 }), {
      onRecoverableError: (e) => errors.push(e),
    });
    expect(texts(frames)).toEqual(['a', 'b']);
    expect(errors.map((e) => e.code)).toEqual(['ERR_FRAME_TOO_LARGE']);
  });
});
