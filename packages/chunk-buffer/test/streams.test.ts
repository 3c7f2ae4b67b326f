import { describe, expect, it, vi } from 'vitest';
import { createDecoderStream, createEncoderStream, decodeFramesAsync } from '../src/deframer.js';
import type { FramingError } from '../src/errors.js';
import { FrameTooLargeError, TruncatedFrameError } from '../src/errors.js';
import { READ_INTO, concatBytes, encodeFrame } from '../src/framing.js';
import type { FramingStrategy, ReadMemory } from '../src/framing.js';
import { bytes, chunked, lineStrategy, texts, u8Strategy } from './helpers/strategies.js';

const u8 = u8Strategy({ maxFrameLength: 10 });

function wire(...payloads: string[]): Uint8Array {
  const encoder = u8.createEncoder();
  return concatBytes(payloads.map((p) => encodeFrame(encoder, bytes(p))));
}

/** A ReadableStream of the given chunks. */
function streamOf<T>(chunks: readonly T[]): ReadableStream<T> {
  return new ReadableStream<T>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}

/** Everything a stream yields, and the error it ended with (if any). */
async function drain<T>(stream: ReadableStream<T>): Promise<{ values: T[]; error: unknown }> {
  const reader = stream.getReader();
  const values: T[] = [];
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { values, error: undefined };
      values.push(value);
    }
  } catch (error) {
    return { values, error };
  }
}

/** Frames of an async iterable as text, and the error it ended with (if any). */
async function collect(frames: AsyncIterable<Uint8Array>): Promise<{ frames: string[]; error: unknown }> {
  const out: Uint8Array[] = [];
  try {
    for await (const frame of frames) out.push(frame);
    return { frames: texts(out), error: undefined };
  } catch (error) {
    return { frames: texts(out), error };
  }
}

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 1));

describe('decodeFramesAsync', () => {
  it('decodes an async generator source that yields chunks over time', async () => {
    async function* source(): AsyncGenerator<Uint8Array> {
      for (const chunk of chunked(wire('one', 'two', 'three'), 1, 3, 2, 5)) {
        await tick();
        yield chunk;
      }
    }
    expect(await collect(decodeFramesAsync(source(), u8))).toEqual({ frames: ['one', 'two', 'three'], error: undefined });
  });

  it('accepts a plain (sync) iterable too', async () => {
    expect((await collect(decodeFramesAsync(chunked(wire('a', 'b'), 3), u8))).frames).toEqual(['a', 'b']);
  });

  it('yields each frame before reading the next chunk', async () => {
    const log: string[] = [];
    async function* source(): AsyncGenerator<Uint8Array> {
      log.push('read 1');
      yield wire('first');
      await tick();
      log.push('read 2');
      yield wire('second');
    }
    for await (const frame of decodeFramesAsync(source(), u8)) log.push(texts([frame])[0]!);
    expect(log).toEqual(['read 1', 'first', 'read 2', 'second']);
  });

  it('throws after every frame before the error was yielded', async () => {
    async function* source(): AsyncGenerator<Uint8Array> {
      yield wire('a');
      await tick();
      yield concatBytes([wire('b', 'c'), Uint8Array.of(99)]);
      yield wire('never');
    }
    const { frames, error } = await collect(decodeFramesAsync(source(), u8));
    expect(frames).toEqual(['a', 'b', 'c']);
    expect(error).toBeInstanceOf(FrameTooLargeError);
    expect(error).toMatchObject({ length: 99, maxFrameLength: 10 });
  });

  it('raises an error that follows frames in a chunk at once, while the source sends nothing more', async () => {
    // A live source (a socket whose peer waits for a reply): after the bad chunk, nothing.
    let closed = false;
    const source: AsyncIterable<Uint8Array> = {
      [Symbol.asyncIterator]: () => {
        let reads = 0;
        return {
          next: () =>
            ++reads === 1
              ? Promise.resolve({ value: concatBytes([wire('a', 'b'), Uint8Array.of(99)]), done: false })
              : new Promise<IteratorResult<Uint8Array>>(() => undefined),
          return: () => {
            closed = true;
            return Promise.resolve({ value: undefined, done: true });
          },
        };
      },
    };
    const stalled = new Promise<'stalled'>((resolve) => {
      setTimeout(() => {
        resolve('stalled');
      }, 2000);
    });
    const outcome = await Promise.race([collect(decodeFramesAsync(source, u8)), stalled]);
    expect(outcome).not.toBe('stalled');
    expect(outcome).toMatchObject({ frames: ['a', 'b'], error: { code: 'ERR_FRAME_TOO_LARGE', length: 99 } });
    expect(closed).toBe(true);
  });

  it('throws a TruncatedFrameError when the source ends inside a frame', async () => {
    async function* source(): AsyncGenerator<Uint8Array> {
      await tick();
      yield concatBytes([wire('whole'), Uint8Array.of(5, 0x61)]);
    }
    const { frames, error } = await collect(decodeFramesAsync(source(), u8));
    expect(frames).toEqual(['whole']);
    expect(error).toBeInstanceOf(TruncatedFrameError);
    expect(error).toMatchObject({ bufferedBytes: 2 });
  });

  it('stops reading the source when the consumer breaks out', async () => {
    let finished = false;
    let reads = 0;
    async function* source(): AsyncGenerator<Uint8Array> {
      try {
        for (let i = 0; i < 100; i++) {
          reads++;
          await tick();
          yield wire(`#${i}`);
        }
      } finally {
        finished = true;
      }
    }
    for await (const frame of decodeFramesAsync(source(), u8)) {
      if (texts([frame])[0] === '#2') break;
    }
    expect(finished).toBe(true);
    expect(reads).toBe(3);
  });

  it('serves calls made without waiting in the order they were made', async () => {
    async function* source(): AsyncGenerator<Uint8Array> {
      yield wire('a');
      await tick();
      yield wire('b', 'c');
    }
    const frames = decodeFramesAsync(source(), u8);
    const steps = await Promise.all([frames.next(), frames.next(), frames.next(), frames.next(), frames.next()]);
    expect(steps.map((step) => (step.done === true ? 'done' : texts([step.value])[0]))).toEqual(['a', 'b', 'c', 'done', 'done']);
  });

  it('closes the source when decoding fails, and stays done', async () => {
    let finished = false;
    async function* source(): AsyncGenerator<Uint8Array> {
      try {
        yield wire('ok');
        await tick();
        yield Uint8Array.of(99);
        yield wire('never');
      } finally {
        finished = true;
      }
    }
    const frames = decodeFramesAsync(source(), u8);
    const { frames: got, error } = await collect(frames);
    expect(got).toEqual(['ok']);
    expect(error).toBeInstanceOf(FrameTooLargeError);
    expect(finished).toBe(true);
    expect(await frames.next()).toEqual({ value: undefined, done: true });
  });

  it('an error of the source closing does not hide the error it was closed for, as in an async function*', async () => {
    const source = (): AsyncIterable<Uint8Array> => ({
      [Symbol.asyncIterator]: () => ({
        next: () => Promise.resolve({ value: concatBytes([wire('a', 'b'), Uint8Array.of(99)]), done: false }),
        return: () => Promise.reject(new Error('close failed')),
      }),
    });
    const { frames, error } = await collect(decodeFramesAsync(source(), u8));
    expect(frames).toEqual(['a', 'b']);
    expect(error).toMatchObject({ code: 'ERR_FRAME_TOO_LARGE', length: 99 });
    // throw(): the error given.
    const iteration = decodeFramesAsync(source(), u8);
    await iteration.next();
    const stop = new Error('stop');
    await expect(iteration.throw(stop)).rejects.toBe(stop);
    expect(await iteration.next()).toEqual({ value: undefined, done: true });
  });

  it('ends the iteration when the source fails to give an iterator', async () => {
    let calls = 0;
    const source: AsyncIterable<Uint8Array> = {
      [Symbol.asyncIterator]: () => {
        if (++calls === 1) throw new TypeError('source is locked');
        return (async function* () {
          await tick();
          yield wire('late');
        })();
      },
    };
    const frames = decodeFramesAsync(source, u8);
    await expect(frames.next()).rejects.toMatchObject({ name: 'TypeError', message: 'source is locked' });
    expect(await frames.next()).toEqual({ value: undefined, done: true });
    expect(calls).toBe(1);
  });

  it('passes on an error of the source after the frames read before it', async () => {
    async function* source(): AsyncGenerator<Uint8Array> {
      yield wire('a', 'b');
      await tick();
      throw new Error('connection reset');
    }
    const { frames, error } = await collect(decodeFramesAsync(source(), u8));
    expect(frames).toEqual(['a', 'b']);
    expect(error).toMatchObject({ message: 'connection reset' });
  });

  it('throw() closes the source and rejects with the error given', async () => {
    let finished = false;
    async function* source(): AsyncGenerator<Uint8Array> {
      try {
        yield wire('a', 'b');
        await tick();
        yield wire('c');
      } finally {
        finished = true;
      }
    }
    const frames = decodeFramesAsync(source(), u8);
    expect(texts([(await frames.next()).value as Uint8Array])).toEqual(['a']);
    const stop = new Error('stop');
    await expect(frames.throw(stop)).rejects.toBe(stop);
    expect(finished).toBe(true);
    expect(await frames.next()).toEqual({ value: undefined, done: true });
  });

  it('return() before the first call ends the iteration without reading the source', async () => {
    let reads = 0;
    async function* source(): AsyncGenerator<Uint8Array> {
      reads++;
      await tick();
      yield wire('a');
    }
    const frames = decodeFramesAsync(source(), u8);
    expect(await frames.return()).toEqual({ value: undefined, done: true });
    expect(await frames.next()).toEqual({ value: undefined, done: true });
    expect(reads).toBe(0);
  });

  it('passes options on (maxBufferedBytes)', async () => {
    const { error } = await collect(decodeFramesAsync([Uint8Array.of(10, 1, 2, 3)], u8, { maxBufferedBytes: 3 }));
    expect(error).toMatchObject({ code: 'ERR_FRAME_TOO_LARGE', maxFrameLength: 3 });
  });
});

describe('decodeFramesAsync laying out the reads (layoutReads)', () => {
  /**
   * A source that reads `wire` as a socket would, into the memory it was handed (3 bytes at
   * most per read) or else into chunks of its own; logs what it was handed.
   */
  function readingSource(wireBytes: Uint8Array): AsyncIterable<Uint8Array> & { handed: ReadMemory[]; [READ_INTO](memory: ReadMemory): boolean } {
    const handed: ReadMemory[] = [];
    return {
      handed,
      [READ_INTO](memory: ReadMemory): boolean {
        handed.push(memory);
        return true;
      },
      async *[Symbol.asyncIterator]() {
        for (let at = 0; at < wireBytes.length; ) {
          await tick();
          const memory = handed[0]?.next() ?? new Uint8Array(3);
          const n = Math.min(memory.length, 3, wireBytes.length - at);
          memory.set(wireBytes.subarray(at, at + n));
          handed[0]?.filled(n);
          yield memory.subarray(0, n);
          at += n;
        }
      },
    };
  }

  /** The u8 test strategy with read memory: one block per read, logged. */
  function withReadMemory(strategy: FramingStrategy): FramingStrategy & { blocks: Uint8Array[]; created: number } {
    const blocks: Uint8Array[] = [];
    const self = {
      ...strategy,
      blocks,
      created: 0,
      createReadMemory(): ReadMemory {
        self.created++;
        return {
          next: () => {
            const block = new Uint8Array(8);
            blocks.push(block);
            return block;
          },
          filled: () => undefined,
        };
      },
    };
    return self;
  }

  it('looks for the method under Symbol.for("framewire.readInto"), as @framewire/transport offers it', () => {
    expect(READ_INTO).toBe(Symbol.for('framewire.readInto'));
  });

  it("hands the strategy's read memory to a source with a READ_INTO method, at once", async () => {
    const strategy = withReadMemory(u8);
    const source = readingSource(wire('one', 'two', 'three'));
    const frames = decodeFramesAsync(source, strategy);
    // Before the first next(): a connection may read before the loop asks.
    expect(source.handed).toHaveLength(1);
    expect(strategy.created).toBe(1);
    expect(await collect(frames)).toEqual({ frames: ['one', 'two', 'three'], error: undefined });
    // Every read went into the memory handed over.
    expect(strategy.blocks.length).toBeGreaterThanOrEqual(5);
  });

  it('hands nothing over with layoutReads: false, to a source without the method, or for a strategy without read memory', async () => {
    const strategy = withReadMemory(u8);
    const source = readingSource(wire('one', 'two'));
    expect((await collect(decodeFramesAsync(source, strategy, { layoutReads: false }))).frames).toEqual(['one', 'two']);
    expect(source.handed).toEqual([]);
    expect(strategy.created).toBe(0);
    // A source without the method: the strategy is not even asked.
    expect((await collect(decodeFramesAsync(chunked(wire('a', 'b'), 3), strategy))).frames).toEqual(['a', 'b']);
    expect(strategy.created).toBe(0);
    const plain = readingSource(wire('a'));
    expect((await collect(decodeFramesAsync(plain, u8))).frames).toEqual(['a']);
    expect(plain.handed).toEqual([]);
  });

  it('hands nothing over when the strategy has no read memory for its configuration (undefined)', async () => {
    const source = readingSource(wire('a'));
    const strategy = { ...u8, createReadMemory: () => undefined };
    expect((await collect(decodeFramesAsync(source, strategy))).frames).toEqual(['a']);
    expect(source.handed).toEqual([]);
  });

  it('throws a TypeError for a layoutReads that is not a boolean', () => {
    expect(() => decodeFramesAsync([], u8, { layoutReads: 'yes' as unknown as boolean })).toThrow(
      new TypeError('layoutReads must be a boolean (got string)'),
    );
  });
});

describe('createDecoderStream', () => {
  it('is a { readable, writable } pair, as the README says, which pipeThrough takes', async () => {
    const stream = createDecoderStream(u8);
    expect(Object.keys(stream)).toEqual(['readable', 'writable']);
    expect(stream.readable).toBeInstanceOf(ReadableStream);
    expect(stream.writable).toBeInstanceOf(WritableStream);
    expect(stream).not.toBeInstanceOf(TransformStream);
    expect(texts((await drain(streamOf([wire('x')]).pipeThrough(stream))).values)).toEqual(['x']);
  });

  it('turns a ReadableStream of chunks into a stream of frames', async () => {
    const chunks = Array.from(wire('hello', '', 'world'), (b) => Uint8Array.of(b));
    const { values, error } = await drain(streamOf(chunks).pipeThrough(createDecoderStream(u8)));
    expect(error).toBeUndefined();
    expect(texts(values)).toEqual(['hello', '', 'world']);
  });

  it('enqueues the frames before an error, then errors the stream with it', async () => {
    const chunks = [wire('a'), concatBytes([wire('b'), Uint8Array.of(200)]), wire('c')];
    const { values, error } = await drain(streamOf(chunks).pipeThrough(createDecoderStream(u8)));
    expect(texts(values)).toEqual(['a', 'b']);
    expect(error).toBeInstanceOf(FrameTooLargeError);
  });

  it('enqueues every frame of the chunk that holds the error before erroring the stream', async () => {
    // Erroring a stream clears its queue: the error waits until the five frames are read.
    const chunks = [concatBytes([wire('a', 'b', 'c', 'd', 'e'), Uint8Array.of(200)])];
    const { values, error } = await drain(streamOf(chunks).pipeThrough(createDecoderStream(u8)));
    expect(texts(values)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(error).toBeInstanceOf(FrameTooLargeError);
    // The same at the end of the input: the frames, then the truncated one.
    const end = await drain(streamOf([concatBytes([wire('x', 'y', 'z'), Uint8Array.of(3, 1)])]).pipeThrough(createDecoderStream(u8)));
    expect(texts(end.values)).toEqual(['x', 'y', 'z']);
    expect(end.error).toMatchObject({ code: 'ERR_TRUNCATED_FRAME' });
  });

  it('delivers the frames it holds before an error of the source it is piped from', async () => {
    // The source gives one chunk of three frames, then fails: the pipe aborts the decoder.
    const reset = new Error('connection reset');
    const source = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(wire('a', 'b', 'c'));
      },
      pull(controller) {
        controller.error(reset);
      },
    });
    const reader = source.pipeThrough(createDecoderStream(u8)).getReader();
    const first = await reader.read();
    await tick(); // the source has failed by now
    const rest: Uint8Array[] = [];
    let error: unknown;
    try {
      for (let r = await reader.read(); !r.done; r = await reader.read()) rest.push(r.value);
    } catch (thrown) {
      error = thrown;
    }
    expect(texts([first.value!, ...rest])).toEqual(['a', 'b', 'c']);
    expect(error).toBe(reset);
  });

  it('delivers the frames it holds before an abort of its writable side, then errors with its reason', async () => {
    const decoder = createDecoderStream(u8);
    const writer = decoder.writable.getWriter();
    const reader = decoder.readable.getReader();
    const written = writer.write(wire('a', 'b', 'c'));
    expect(texts([(await reader.read()).value!])).toEqual(['a']);
    await written;
    const stop = new Error('stop');
    const aborted = writer.abort(stop);
    await tick();
    expect(texts([(await reader.read()).value!, (await reader.read()).value!])).toEqual(['b', 'c']);
    await expect(reader.read()).rejects.toBe(stop);
    await aborted;
  });

  it('lets its consumer cancel it while frames wait, and the writable side then errors', async () => {
    const decoder = createDecoderStream(u8);
    const writer = decoder.writable.getWriter();
    const reader = decoder.readable.getReader();
    void writer.write(wire('a', 'b', 'c')).catch(() => undefined);
    await reader.read();
    const bye = new Error('not interested');
    await reader.cancel(bye);
    await expect(writer.closed).rejects.toBe(bye);
  });

  it('waits for its consumer without a timer: frames then the error, whether decoding, the end or an abort raised it', async () => {
    // Fake timers: a stream that polled its queue would leave a timer pending (and, with
    // nothing to fire it, never deliver the error); one driven by its reader's reads does not.
    vi.useFakeTimers();
    try {
      const endings: Record<string, (writer: WritableStreamDefaultWriter<Uint8Array>) => Promise<unknown>> = {
        decoding: (writer) => writer.write(concatBytes([wire('a', 'b', 'c'), Uint8Array.of(99)])),
        end: async (writer) => {
          await writer.write(concatBytes([wire('a', 'b', 'c'), Uint8Array.of(5)]));
          return writer.close();
        },
        abort: async (writer) => {
          await writer.write(wire('a', 'b', 'c'));
          return writer.abort(new Error('source failed'));
        },
      };
      for (const [name, finish] of Object.entries(endings)) {
        const decoder = createDecoderStream(u8);
        const writer = decoder.writable.getWriter();
        const reader = decoder.readable.getReader();
        void finish(writer).catch(() => undefined);
        expect(texts([(await reader.read()).value!]), name).toEqual(['a']);
        // Frames b and c wait to be read, and the error after them; the consumer looks away
        // while the writer's calls run their course (a bounded number of promise turns).
        for (let turn = 0; turn < 50; turn++) await Promise.resolve();
        expect(vi.getTimerCount(), name).toBe(0);
        expect(texts([(await reader.read()).value!, (await reader.read()).value!]), name).toEqual(['b', 'c']);
        await expect(reader.read(), name).rejects.toMatchObject(
          name === 'abort' ? { message: 'source failed' } : { code: name === 'end' ? 'ERR_TRUNCATED_FRAME' : 'ERR_FRAME_TOO_LARGE' },
        );
        expect(vi.getTimerCount(), name).toBe(0);
      }
    } finally {
      vi.useRealTimers();
    }
  });

  it('stops its source as soon as decoding fails, while the frames before the error wait to be read', async () => {
    // A live source: after the bad chunk it sends nothing more, and is cancelled by the pipe
    // once the decoder's writable side fails.
    let cancelledWith: unknown;
    const source = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(concatBytes([wire('a', 'b', 'c'), Uint8Array.of(99)]));
      },
      cancel(reason) {
        cancelledWith = reason;
      },
    });
    const reader = source.pipeThrough(createDecoderStream(u8)).getReader();
    expect(texts([(await reader.read()).value!])).toEqual(['a']);
    await tick();
    expect(cancelledWith).toMatchObject({ code: 'ERR_FRAME_TOO_LARGE', length: 99 });
    expect(texts([(await reader.read()).value!, (await reader.read()).value!])).toEqual(['b', 'c']);
    await expect(reader.read()).rejects.toBe(cancelledWith);
  });

  it('keeps the frames still unread when the input ends in an error that completes no frame', async () => {
    // Three frames wait unread when the writer closes on a partial frame: the truncation error
    // comes after them, not in their place (erroring the stream at once cleared its queue).
    const decoder = createDecoderStream(u8);
    const writer = decoder.writable.getWriter();
    const reader = decoder.readable.getReader();
    const written = writer.write(concatBytes([wire('a', 'b', 'c'), Uint8Array.of(5)]));
    expect(texts([(await reader.read()).value!])).toEqual(['a']);
    await written;
    await expect(writer.close()).rejects.toMatchObject({ code: 'ERR_TRUNCATED_FRAME', bufferedBytes: 1 });
    expect(texts([(await reader.read()).value!, (await reader.read()).value!])).toEqual(['b', 'c']);
    await expect(reader.read()).rejects.toMatchObject({ code: 'ERR_TRUNCATED_FRAME', bufferedBytes: 1 });
  });

  it('errors with a TruncatedFrameError when the input ends inside a frame', async () => {
    const { values, error } = await drain(streamOf([wire('x'), Uint8Array.of(3, 1)]).pipeThrough(createDecoderStream(u8)));
    expect(texts(values)).toEqual(['x']);
    expect(error).toMatchObject({ code: 'ERR_TRUNCATED_FRAME', bufferedBytes: 2 });
  });

  it('accepts a bare decoder and options (onRecoverableError)', async () => {
    const errors: FramingError[] = [];
    const line = lineStrategy({ maxFrameLength: 3 });
    const stream = createDecoderStream(line.createDecoder(), { onRecoverableError: (e) => errors.push(e) });
    const { values, error } = await drain(streamOf([bytes('ab\nabcdef\ncd\n')]).pipeThrough(stream));
    expect(error).toBeUndefined();
    expect(texts(values)).toEqual(['ab', 'cd']);
    expect(errors).toHaveLength(1);
  });
});

describe('borrowed frames', () => {
  it('decodeFramesAsync and createDecoderStream refuse borrowed at the call: their frames outlive onFrame', () => {
    expect(() => decodeFramesAsync([wire('a')], u8, { borrowed: true })).toThrow(
      new TypeError(
        "decodeFramesAsync() cannot lend frames: borrowed frames are valid only inside the Deframer's onFrame callback. " +
          'Use new Deframer(strategy, { borrowed: true }).push(chunk, onFrame), or leave borrowed unset',
      ),
    );
    expect(() => createDecoderStream(u8, { borrowed: true })).toThrow(/^createDecoderStream\(\) cannot lend frames/);
  });

  it('borrowed: false is the default: decodeFramesAsync accepts it', async () => {
    expect(await collect(decodeFramesAsync(chunked(wire('one', 'two'), 1), u8, { borrowed: false }))).toEqual({
      frames: ['one', 'two'],
      error: undefined,
    });
  });
});

describe('createEncoderStream', () => {
  it('enqueues the encoded parts, passing the payload through without a copy', async () => {
    const payloads = [bytes('hi'), bytes('')];
    const { values, error } = await drain(streamOf(payloads).pipeThrough(createEncoderStream(u8)));
    expect(error).toBeUndefined();
    expect(values.map((v) => Array.from(v))).toEqual([[2], [0x68, 0x69], [0], []]);
    expect(values[1]).toBe(payloads[0]);
  });

  it('round-trips through createDecoderStream', async () => {
    const line = lineStrategy();
    const payloads = ['alpha', 'beta', '', 'gamma'].map(bytes);
    const frames = streamOf(payloads).pipeThrough(createEncoderStream(line)).pipeThrough(createDecoderStream(line));
    const { values, error } = await drain(frames);
    expect(error).toBeUndefined();
    expect(texts(values)).toEqual(['alpha', 'beta', '', 'gamma']);
  });

  it('refuses what is not a strategy, and an encoder with no encode(), with a TypeError at the call', () => {
    const make = (strategy: unknown) => () => createEncoderStream(strategy as FramingStrategy);
    for (const [bad, got] of [[null, 'null'], [undefined, 'undefined'], ['u8', 'string'], [{}, 'Object'], [u8.createDecoder(), 'Object']] as const) {
      expect(make(bad)).toThrow(new TypeError(`createEncoderStream needs a framing strategy (with createEncoder); got ${got}`));
    }
    expect(make({ ...u8, createEncoder: 5 })).toThrow(new TypeError('createEncoder must be a function (got number)'));
    expect(make({ ...u8, createEncoder: () => null })).toThrow(
      new TypeError("the encoder from the strategy's createEncoder() is not an object with an encode() method (got null)"),
    );
    expect(make({ ...u8, createEncoder: () => ({ encode: 'parts' }) })).toThrow(
      new TypeError("the encoder from the strategy's createEncoder() has no encode() method (got string)"),
    );
  });

  it("errors the stream when the encoder refuses a payload", async () => {
    const { values, error } = await drain(streamOf([bytes('ok'), new Uint8Array(11)]).pipeThrough(createEncoderStream(u8)));
    expect(values).toHaveLength(2);
    expect(error).toMatchObject({ code: 'ERR_FRAME_TOO_LARGE', length: 11, maxFrameLength: 10 });
  });
});
