import { ChunkBuffer, bytesText, type FramingStrategy, type ReadMemory as ChunkBufferReadMemory } from '@framewire/chunk-buffer';
import { LengthPrefixStrategy, readHugeLengthField, readLengthField, type LengthPrefixConfig } from './length-prefix.js';
import { checkOptionsObject, describe, integerOption } from './shared.js';

/**
 * Memory for a socket's reads, chosen read by read: what `recvInto` of `@framewire/transport`
 * takes (any object of this shape will do). `frameReads` returns the same memory when `next()`
 * is called again with no read in between (Node asks when a connection attempt starts, and
 * before a read that finds the end of the stream), and throws a `RangeError` for a `filled`
 * count outside 0 to that memory's length, or a `filled` with no `next` before it.
 */
export type ReadMemory = ChunkBufferReadMemory;

/** Options of {@link frameReads}. */
export interface FrameReadsOptions {
  /**
   * Frames of at least this many payload bytes are read into memory of their own. Smaller
   * ones share blocks, several to a read. Defaults to `65_536` (Node's read size: a frame that
   * large spans reads, and so is copied, whatever the block).
   */
  minFrameLength?: number;
  /**
   * Size of the shared blocks the other bytes are read into, one read after the other; a
   * read fills at most what is left of one. Defaults to `65_536`.
   */
  blockSize?: number;
}

const DEFAULT_SIZE = 64 * 1024;
// Less than this part of a shared block left, and the next read starts a new one.
const MIN_ROOM_SHIFT = 4;
const EMPTY = new Uint8Array(0);

/**
 * Reads laid out for the frames of a binary length-prefix strategy (`u8` … `u64le`,
 * `lengthPrefix()`), so that a `Deframer` returns large frames without copying them. It follows
 * the headers in the bytes as they are read, and:
 *
 * - reads each frame of at least `minFrameLength` payload bytes into memory of its own, sized
 *   to the payload plus the next header: the reads stop right after that header, so the next
 *   payload starts at the start of new memory again. The frame a `Deframer` returns is that
 *   memory (a view of it), with no copy;
 * - reads everything else into shared blocks of `blockSize`, read after read, so a small
 *   frame that spans two reads is still a view.
 *
 * ```text
 * wire:   … [hdr A][payload A ..................][hdr B][payload B .................][hdr C] …
 * reads:            memory of A: [payload A ..................][hdr B]   (one read or several)
 *                   memory of B: [payload B .................][hdr C]
 * frames: A = a view of memory of A without its last header bytes; B likewise: no copy
 * ```
 *
 * The first large frame of a stream, or the first after small ones, may start in a shared read
 * and is then copied; from the next one on, every large frame is read as above. Each frame's
 * memory is new memory, as a copy's would be: reading into it costs what reading into Node's
 * own buffers costs, and the copy is gone. A frame, or chunk, that you keep keeps its memory
 * (or shared block) alive. Up to the announced length is allocated as soon as a header is
 * read (the strategy's `maxFrameLength` bounds it), as a copy would be later.
 *
 * The strategy's frames must be the payload alone (`bytesToStrip` equal to the header length,
 * the default): a `TypeError` otherwise, and for any other strategy. A header the decoder will
 * refuse (a length over the limit) ends the layout: shared blocks from there on, and the
 * `Deframer` reports the error. Give each connection its own.
 *
 * @example
 * ```ts
 * const strategy = u32be();
 * const conn = await connect({ port, recvInto: frameReads(strategy) });
 * const deframer = new Deframer(strategy);
 * for await (const chunk of conn) deframer.push(chunk, onFrame);
 * ```
 */
export function frameReads(strategy: FramingStrategy, options: FrameReadsOptions = {}): ReadMemory {
  const config = LengthPrefixStrategy.configOf(strategy);
  if (config === undefined) {
    const name: unknown = (strategy as Partial<FramingStrategy> | null | undefined)?.name;
    const got = typeof name === 'string' ? name : describe(strategy);
    throw new TypeError(`frameReads needs a binary length-prefix strategy (u8 … u64le, lengthPrefix()), got ${got}`);
  }
  if (config.bytesToStrip !== config.headerLength) {
    throw new TypeError(
      `frameReads needs frames without header bytes: ${config.name} keeps ${config.headerLength - config.bytesToStrip} ` +
        `(bytesToStrip ${config.bytesToStrip} of a ${config.headerLength}-byte header)`,
    );
  }
  checkOptionsObject(options, 'frameReads');
  const minFrameLength = integerOption('minFrameLength', options.minFrameLength, DEFAULT_SIZE, 1);
  const blockSize = integerOption('blockSize', options.blockSize, DEFAULT_SIZE, 1);
  return new FrameReads(config, minFrameLength, blockSize);
}

class FrameReads implements ReadMemory {
  // The memory of the last read, and where the next one lands in it.
  #block: Uint8Array = EMPTY;
  #at = 0;
  // Whether #block is sized to a frame: its payload (or the rest of it), then room for exactly
  // the next header. Otherwise it is a shared block.
  #sized = false;
  // Payload bytes of the current frame not read yet; -1 while a header is being read.
  #left = -1;
  // Whether the current frame's payload (the last one's, while a header is read) is at least
  // minFrameLength bytes.
  #large = false;
  // The header being read, its bytes copied as they arrive, and how many are in.
  readonly #head: Uint8Array;
  #have = 0;
  readonly #headBuffer = new ChunkBuffer();
  // A header the decoder refuses was read: shared blocks from there on.
  #lost = false;
  // Length of the memory the last next() returned, until filled() reports on it (0 then).
  #offered = 0;
  readonly #config: LengthPrefixConfig;
  readonly #min: number;
  readonly #blockSize: number;

  constructor(config: LengthPrefixConfig, min: number, blockSize: number) {
    this.#config = config;
    this.#head = new Uint8Array(config.headerLength);
    this.#min = min;
    this.#blockSize = blockSize;
  }

  next(): Uint8Array {
    const memory = this.#next();
    this.#offered = memory.length;
    return memory;
  }

  #next(): Uint8Array {
    const block = this.#block;
    const at = this.#at;
    const room = block.length - at;
    if (!this.#lost) {
      // A sized block ends with the next header: the rest of it is exactly what this frame
      // (and that header) still needs.
      if (this.#sized && room > 0) return block.subarray(at);
      if (this.#large) {
        // In or just after a large frame: the read must stop right after the next header, so
        // that the next payload starts memory of its own. What is left of the frame (nothing
        // once it is in) and of that header:
        const left = this.#left;
        const need = left > 0 ? left + this.#head.length : this.#head.length - this.#have;
        // A small rest (of a frame whose start went to a shared block: it is copied anyway)
        // or a header alone is read into the shared block where it fits.
        if (!this.#sized && left < this.#min && room >= need) return block.subarray(at, at + need);
        // Else new memory: all of the payload when its header was just read, and the frame is
        // then a view of it.
        return this.#start(need, true);
      }
    }
    if (!this.#sized && room > 0 && room >= this.#blockSize >>> MIN_ROOM_SHIFT) return block.subarray(at);
    return this.#start(this.#blockSize, false);
  }

  // New memory of `size` bytes for the next read: sized to a frame, or a shared block.
  #start(size: number, sized: boolean): Uint8Array {
    this.#block = new Uint8Array(size);
    this.#at = 0;
    this.#sized = sized;
    return this.#block;
  }

  filled(bytesRead: number): void {
    const offered = this.#offered;
    // next() never returns empty memory: 0 offered means no read is pending.
    if (offered === 0 || !Number.isInteger(bytesRead) || bytesRead < 0 || bytesRead > offered) {
      throw new RangeError(
        offered === 0
          ? `filled(${bytesRead}) without a next() before it: each read reports once, on the memory next() returned`
          : `filled(${bytesRead}): a read fills 0 to ${bytesText(offered)}, the length of the memory next() returned`,
      );
    }
    this.#offered = 0;
    const block = this.#block;
    let p = this.#at;
    const stop = p + bytesRead;
    this.#at = stop;
    if (this.#lost) return;
    const head = this.#head;
    while (p < stop) {
      const left = this.#left;
      if (left > 0) {
        const k = Math.min(left, stop - p);
        p += k;
        this.#left = left === k ? -1 : left - k;
        continue;
      }
      let have = this.#have;
      while (have < head.length && p < stop) head[have++] = block[p++]!;
      if (have < head.length) {
        this.#have = have;
        return;
      }
      this.#have = 0;
      const payload = this.#payloadLength();
      if (payload < 0) {
        this.#lost = true;
        return;
      }
      this.#left = payload === 0 ? -1 : payload;
      this.#large = payload >= this.#min;
    }
  }

  // The payload length the header announces, or -1 when the decoder refuses it. Read as the
  // decoder reads it, from a ChunkBuffer holding just the header.
  #payloadLength(): number {
    const c = this.#config;
    const buffer = this.#headBuffer;
    buffer.push(this.#head);
    const value = readLengthField(buffer, c.lengthFieldLength, c.lengthFieldOffset, c.littleEndian);
    // An 8-byte field of 2^53 or more (-1): exact, in bigint, as the decoder reads it. Over the
    // limit unless a lengthAdjustment near -2^53 brings it down; the decoder then takes the
    // frame, and so does the layout.
    const huge = value < 0 ? readHugeLengthField(buffer, c.lengthFieldOffset, c.littleEndian) : undefined;
    buffer.skip(c.headerLength);
    if (huge !== undefined) {
      const payload = huge + BigInt(c.lengthAdjustment) - BigInt(c.includedHeader);
      return payload < 0n || payload > BigInt(c.maxFrameLength) ? -1 : Number(payload);
    }
    const payload = value + c.lengthAdjustment - c.includedHeader;
    return payload < 0 || payload > c.maxFrameLength ? -1 : payload;
  }
}
