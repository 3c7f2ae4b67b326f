/**
 * One open connection: an async iterable of the chunks received, and writes that honour
 * backpressure. Works the same over TCP, TLS and Unix sockets.
 *
 * @module
 */

import type { Socket } from 'node:net';
import { formatEndpoint, type Endpoint } from './endpoint.js';
import { ConnectionClosedError, IdleTimeoutError, toTransportError, type ErrorContext } from './errors.js';
import { describe, isRecvMemory, type ConnectConfig, type RecvMemory, type SocketConfig } from './options.js';

/**
 * An open connection. Bytes in, bytes out: it knows nothing of frames.
 *
 * Reading: iterate it (`for await (const chunk of conn)`), once. The socket is paused
 * while nobody asks for the next chunk, so a slow reader slows the peer down (TCP flow
 * control) instead of filling memory. The loop ends when the peer half-closes (or after
 * `close()`); it throws the typed error when the connection fails (a reset, an idle
 * timeout) after yielding every chunk received before the failure. Leaving the loop early
 * (`break`) stops reading but keeps the connection open: `end()` or `close()` it.
 *
 * Writing: `write(...chunks)` sends several byte arrays in one socket write (small ones copied
 * into one buffer, large ones passed uncopied in one `writev`), and resolves once the socket
 * has written them: their memory is the caller's again. `send(...chunks)` is the same without
 * a promise: it returns `false` when the caller should wait for `drained()` before sending
 * more.
 */
export interface Connection extends AsyncIterable<Uint8Array> {
  /**
   * Writes the chunks, in order, in one socket write. Resolves once the socket has written
   * them (handed them to the kernel; over TLS, encrypted and handed on), after every write
   * before them: the chunks may then be changed or reused. Rejects with the connection's
   * error (`ConnectionResetError`, …) or a `ConnectionClosedError` if it closes first. Empty
   * chunks are skipped.
   */
  write(...chunks: Uint8Array[]): Promise<void>;
  /**
   * The synchronous form of {@link write}: queues the chunks in one socket write and
   * returns `true` if more may be sent now, `false` if the caller should `await drained()`
   * first. Throws the connection's error, or a `ConnectionClosedError`, if it cannot write.
   * The socket may still read chunks of 2 KiB or more (and a lone chunk of any size) from
   * the caller's memory after it returns: do not change them (use {@link write} to know when
   * they are written).
   */
  send(...chunks: Uint8Array[]): boolean;
  /**
   * Resolves when the send buffer has room again (at once if it has). After `end()` there is
   * no room left to wait for: it resolves once everything written has been flushed, as
   * `end()` does (at once if it has been). Rejects like `write`: with the connection's error,
   * or a `ConnectionClosedError` if the connection is closed, or closes before then (the bytes
   * still queued are then lost).
   */
  drained(): Promise<void>;
  /**
   * Half-closes: flushes what was written, then sends FIN (TLS: close_notify). Reading goes
   * on until the peer ends too. Resolves when the FIN is sent; the same promise every call.
   * Rejects with the connection's error, or a `ConnectionClosedError`, if the connection is
   * closed before then.
   */
  end(): Promise<void>;
  /**
   * Destroys the connection now; unsent data is dropped. With an `error`, the reader throws
   * it, `closed` rejects with it and `error` holds it. The first call decides: once the
   * connection is closed or closing (see {@link isClosed}), later calls do nothing.
   */
  close(error?: Error): void;
  /**
   * Settles when the socket is closed: resolves after a clean close, rejects with the
   * error otherwise. Never causes an unhandled rejection if nobody observes it.
   */
  readonly closed: Promise<void>;
  /** The error that closed (or is closing) the connection, if any. */
  readonly error: Error | undefined;
  /** Whether the socket is closed or being destroyed. */
  readonly isClosed: boolean;
  /** This end's address: `127.0.0.1:54276`, `[::1]:54276`, or a socket path. */
  readonly localAddress: string;
  /** The peer's address, formatted like {@link localAddress}. */
  readonly remoteAddress: string;
  /** This end's address, structured. */
  readonly localEndpoint: Endpoint;
  /** The peer's address, structured. */
  readonly remoteEndpoint: Endpoint;
  /** Whether the connection is TLS. */
  readonly encrypted: boolean;
  /**
   * Bytes read from the socket so far, whether or not the reader has consumed them yet
   * (over TLS: decrypted bytes).
   */
  readonly bytesRead: number;
  /** Bytes handed to the socket so far (over TLS: before encryption). */
  readonly bytesWritten: number;
  /**
   * Reads into memory you lay out from now on, as `connect`'s `recvInto` would have from the
   * start: what `decodeFramesAsync` of `@framewire/chunk-buffer` calls with its strategy's read
   * memory (`frameReads` for the binary length prefixes of `@framewire/header`). The bytes
   * read but not yet handed to you, and the read under way, are copied into that memory, so it
   * sees every byte from the first. Returns `true` if the connection switched; `false`, with
   * nothing changed, if it cannot: a chunk was already handed to you, the connection reads
   * into memory chosen at `connect` (`recvSize`, `recvArena`, `recvInto`) or into Node's own
   * (TLS, and connections that `listen` accepts), or it is closed. A `TypeError` for a
   * `memory` without `next()` and `filled()` methods.
   */
  [READ_INTO](memory: RecvMemory): boolean;
}

/**
 * The key of {@link Connection}'s method that switches its reads into your memory: `Symbol.for
 * ('framewire.readInto')`, the same symbol as `@framewire/chunk-buffer`'s `READ_INTO`, which
 * `decodeFramesAsync` looks for on its source (neither package imports the other).
 */
export const READ_INTO: unique symbol = Symbol.for('framewire.readInto') as typeof READ_INTO;

/** Node's `onread` socket option. */
interface OnRead {
  buffer: Uint8Array | (() => Uint8Array);
  callback: (bytesRead: number, buffer: Uint8Array) => boolean;
}

/** Room a read needs in a `recvArena` block when there is no `recvSize`: Node's own read size. */
const ARENA_READ = 64 * 1024;

/** Takes a read after the caller's `recvInto` failed (the connection is closing). */
const SCRATCH = new Uint8Array(ARENA_READ);

/**
 * Reads of fewer bytes are copied out of fresh memory (see `FreshReads`): a chunk then never
 * holds more than four times its bytes.
 */
const KEEP_AT_LEAST = ARENA_READ / 4;

/** How the socket reads (the options of `connect` that choose its memory). */
type ReadConfig = Pick<ConnectConfig, 'recvSize' | 'recvArena' | 'reuseArena' | 'recvInto'>;

/**
 * Hands chunks from Node's `onread` callback to a connection. Exists because the callback is
 * fixed when the socket is created, before the connection.
 */
export class ReadPort {
  /** The connection's sink; returns false to stop reading. */
  sink: ((chunk: Uint8Array) => boolean) | undefined;
  /** Chunks read before the connection existed. */
  readonly early: Uint8Array[] = [];
  /**
   * Bytes read but not yet known to the reader's `reuseArena` count: the connection's queue
   * and the chunk the reader is working on. Replaced by the connection once it exists.
   */
  unread: () => number = () => this.early.reduce((sum, chunk) => sum + chunk.length, 0);
  /** Closes the connection with an error of the caller's `recvInto`; set by the connection. */
  fail: ((error: Error) => void) | undefined;
  /** That error, kept until the connection exists (and then for every later read). */
  failure: Error | undefined;
  // Without any of the options that choose the memory: fresh memory per read, until memory of
  // the reader's is switched in (`switchTo`). Undefined with those options.
  #fresh: FreshReads | undefined;
  // The memory switched in (`recvInto`, from the start), and whether Node holds it (not fresh
  // memory) for the pending read.
  #switched: RecvMemory | undefined;
  #pendingSwitched = false;

  /** Whether `switchTo` may still be called: the socket reads into fresh memory of its own. */
  get canSwitch(): boolean {
    return this.#fresh !== undefined && this.#switched === undefined;
  }

  /**
   * From now on reads land in `memory`; the read Node already holds fresh memory for is
   * copied into it when it comes (see {@link relay}).
   */
  switchTo(memory: RecvMemory): void {
    this.#switched = memory;
  }

  /**
   * Copies bytes read before the switch into the switched memory, as if they had been read
   * into it (`next()`, then `filled()`, as often as needed), and returns them as views of it.
   * Empty when the memory fails: the connection then closes with the error.
   */
  relay(bytes: Uint8Array): Uint8Array[] {
    const memory = this.#switched!;
    const chunks: Uint8Array[] = [];
    for (let at = 0; at < bytes.length && this.failure === undefined; ) {
      const target = this.#memoryOf(memory);
      const n = Math.min(target.length, bytes.length - at);
      target.set(bytes.subarray(at, at + n));
      const chunk = this.#filled(memory, target, n);
      if (chunk === undefined) break;
      chunks.push(chunk);
      at += n;
    }
    return chunks;
  }

  // The memory `recvInto` gives for the next read. When it fails, a scratch buffer takes the
  // read (it must go somewhere) and the connection closes with the error.
  #memoryOf(recvInto: RecvMemory): Uint8Array {
    let memory: unknown;
    try {
      memory = recvInto.next();
    } catch (error) {
      this.#failWith(error);
      return SCRATCH;
    }
    if (!(memory instanceof Uint8Array) || memory.length === 0) {
      const got = memory instanceof Uint8Array ? 'an empty Uint8Array' : describe(memory);
      this.#failWith(new TypeError(`recvInto.next() must return a non-empty Uint8Array (got ${got})`));
      return SCRATCH;
    }
    return memory;
  }

  // A read filled `bytesRead` bytes of the memory `recvInto` gave: the chunk, a view of it, or
  // undefined once `recvInto` has failed (the connection is closing).
  #filled(recvInto: RecvMemory, buffer: Uint8Array, bytesRead: number): Uint8Array | undefined {
    if (this.failure !== undefined) {
      this.fail?.(this.failure);
      return undefined;
    }
    try {
      recvInto.filled(bytesRead);
    } catch (error) {
      this.#failWith(error);
      return undefined;
    }
    return buffer.subarray(0, bytesRead);
  }

  #failWith(error: unknown): void {
    this.failure ??= error instanceof Error ? error : new Error(String(error));
    this.fail?.(this.failure);
  }

  /**
   * The `onread` option for `net.connect`. Without `recvSize`, `recvArena` and `recvInto`:
   * fresh memory per read (see {@link FreshReads}), until `switchTo`. With `recvInto`: the
   * memory it gives, read by read, each chunk a view of it (as after a switch). With `recvSize` alone:
   * one reused buffer of that size, each chunk copied out of it. With `recvArena`: reads into
   * blocks of that size, each chunk a view of its block (no copy; see {@link Arena}).
   */
  onread({ recvSize, recvArena, reuseArena, recvInto }: ReadConfig): OnRead {
    const deliver = (chunk: Uint8Array): boolean => {
      if (this.sink !== undefined) return this.sink(chunk);
      this.early.push(chunk);
      return false;
    };
    if (recvSize === undefined && recvArena === undefined) {
      // `recvInto` is memory switched in from the start (so never switchable); without it,
      // fresh reads until `switchTo`.
      const fresh = recvInto === undefined ? new FreshReads() : undefined;
      this.#fresh = fresh;
      this.#switched = recvInto;
      return {
        buffer: () => {
          const switched = this.#switched;
          this.#pendingSwitched = switched !== undefined;
          return switched === undefined ? fresh!.next() : this.#memoryOf(switched);
        },
        callback: (bytesRead, buffer) => {
          const switched = this.#switched;
          if (switched === undefined) return deliver(fresh!.chunk(bytesRead));
          if (this.#pendingSwitched) {
            const chunk = this.#filled(switched, buffer, bytesRead);
            return chunk !== undefined && deliver(chunk);
          }
          // The read Node held fresh memory for when the memory was switched.
          let more = true;
          for (const chunk of this.relay(buffer.subarray(0, bytesRead))) more = deliver(chunk) && more;
          return more && this.failure === undefined;
        },
      };
    }
    if (recvArena === undefined) {
      return {
        buffer: new Uint8Array(recvSize ?? ARENA_READ),
        // The buffer is reused for the next read: hand out a copy.
        callback: (bytesRead, buffer) => deliver(copyOf(buffer, bytesRead)),
      };
    }
    const room = Math.min(recvSize ?? ARENA_READ, recvArena);
    // Without reuseArena nothing is ever read over: every byte counts as held. A read may
    // then fill the rest of the block; with reuseArena it is bounded, so that the bytes
    // queued in the connection stay few.
    const arena =
      reuseArena === undefined
        ? new Arena(recvArena, room, recvSize === undefined ? recvArena : room, () => Infinity)
        : new Arena(recvArena, room, room, () => held(reuseArena) + this.unread());
    // Node asks for the next read's memory after each callback; the read fills it from the start.
    return {
      buffer: () => arena.next(),
      callback: (bytesRead, buffer) => {
        arena.filled(bytesRead);
        return deliver(buffer.subarray(0, bytesRead));
      },
    };
  }
}

/**
 * The memory of a plain client connection's reads. A read of at least {@link KEEP_AT_LEAST}
 * bytes into memory of the connection's own is handed out as a view of it, and the next read
 * gets new memory of 64 KiB (Node's own read size): a chunk is a view of memory nobody writes
 * again, as with Node's own reads, and a stream of large reads costs no copy. That memory is
 * not zeroed when it is allocated (a read fills it from the start); what a read leaves of it is
 * zeroed before its chunk, whose `buffer` is the whole memory, is handed out, so that a stream
 * of full reads costs no zeroing either and no chunk shows bytes the process held before. After a
 * smaller read, the next read goes to one buffer all connections share (a read and its
 * callback run in one go, so the bytes are copied out before any other read), so that an idle
 * connection whose last read was small holds no memory for the next; a read there is copied
 * out into memory of its size, and a large one also switches the connection back to memory of
 * its own.
 *
 * ```text
 * read:    small    small    LARGE          LARGE       LARGE     small    (idle)
 * memory:  shared   shared   shared         own #1      own #2    own #3   shared
 * chunk:   copy     copy     copy → own     view of #1  view #2   copy     –
 * ```
 */
class FreshReads {
  // The memory the pending read goes to: the connection's own, or SHARED_READS.
  #memory: Buffer | undefined;

  next(): Buffer {
    return (this.#memory ??= sharedReads());
  }

  /** The chunk of a read that filled `bytesRead` bytes of the memory `next()` gave. */
  chunk(bytesRead: number): Uint8Array {
    const memory = this.#memory!;
    const shared = memory === SHARED_READS;
    if (bytesRead < KEEP_AT_LEAST || shared) {
      // Small reads go to the shared buffer next; a large one into memory of the connection's own.
      this.#memory = bytesRead < KEEP_AT_LEAST ? sharedReads() : ownReads();
      return copyOf(memory, bytesRead);
    }
    this.#memory = ownReads();
    // The chunk's `buffer` is the whole memory: what the read left of it must show no old bytes.
    if (bytesRead < memory.length) memory.fill(0, bytesRead);
    return memory.subarray(0, bytesRead);
  }
}

/**
 * The first `n` bytes of a read buffer, copied into memory of exactly that size: not a slice of
 * Node's shared pool (as `Buffer.from` gives for small sizes), whose other bytes a chunk's
 * `buffer` would expose.
 */
function copyOf(buffer: Uint8Array, n: number): Buffer {
  const out = Buffer.allocUnsafeSlow(n);
  out.set(buffer.subarray(0, n));
  return out;
}

/** Memory of a connection's own for its next read: not zeroed (see `FreshReads`). */
function ownReads(): Buffer {
  return Buffer.allocUnsafeSlow(ARENA_READ);
}

/** The read buffer that connections whose last read was small share (see `FreshReads`). */
let SHARED_READS: Buffer | undefined;
function sharedReads(): Buffer {
  return (SHARED_READS ??= Buffer.allocUnsafeSlow(ARENA_READ));
}

/** What the reader's `reuseArena` function reports; anything but a count means "everything". */
function held(reuseArena: () => number): number {
  let count: unknown;
  try {
    count = reuseArena();
  } catch {
    return Infinity;
  }
  return typeof count === 'number' && count >= 0 ? count : Infinity;
}

/**
 * The blocks a `recvArena` connection reads into. Reads land one after the other; when less
 * than `room` is left at the end, reading goes back to the start of the block (`reuseArena`).
 * The bytes still held — the last `tail()` bytes received, counting back from the write
 * position — must never be under the next read: when they would be, a new block starts and
 * the old one is left to those bytes. (Without `reuseArena` every byte is held: each block is
 * used once.)
 *
 * ```text
 *  0                    at                           lapEnd           end
 *  ├───── this lap ─────┼─── the last lap, intact ───┼──── unused ────┤
 *  held: the last tail() bytes received — back from `at`, then back from `lapEnd`
 *  next read: [at, at + room) unless it reaches held bytes of the last lap;
 *             at the end, [0, room) unless held bytes lie there; else a new block
 * ```
 */
class Arena {
  // A plain Uint8Array, not a Buffer: a chunk's `slice()` is then a copy, as a reader keeping
  // one expects (a Buffer's `slice()` is a view, which a later lap could overwrite).
  #block = new Uint8Array(0);
  // Where the next read lands, and where the previous lap's bytes end (0: no previous lap).
  #at = 0;
  #lapEnd = 0;

  constructor(
    private readonly size: number,
    /** Room a read needs: less than this left at the end, and the block is full. */
    private readonly room: number,
    /** Most bytes one read may fill. */
    private readonly read: number,
    private readonly tail: () => number,
  ) {}

  /** The memory for the next read. */
  next(): Uint8Array {
    const room = this.room;
    const at = this.#at;
    const tail = this.tail();
    if (this.#block.length - at >= room) {
      // The last lap's held bytes end at lapEnd, reaching back `tail - at` bytes from there.
      if (!(tail > at && this.#lapEnd > at && this.#lapEnd - (tail - at) < at + room)) {
        return this.#block.subarray(at, at + this.read);
      }
    } else if (this.#block.length > 0 && tail <= at - room) {
      // Back to the start: the held bytes all lie in this lap, after the first read's room.
      this.#lapEnd = at;
      this.#at = 0;
      return this.#block.subarray(0, this.read);
    }
    this.#block = new Uint8Array(this.size);
    this.#at = 0;
    this.#lapEnd = 0;
    return this.#block.subarray(0, this.read);
  }

  /** The read into the memory `next()` gave filled `bytesRead` bytes of it. */
  filled(bytesRead: number): void {
    this.#at += bytesRead;
  }
}

/** How a connection was made, for its addresses and error messages. */
export interface ConnectionInit {
  readonly local: Endpoint;
  readonly remote: Endpoint;
  /** Set when the socket reads through `onread` (a client over plain TCP or a Unix socket). */
  readonly port?: ReadPort | undefined;
  /**
   * The TCP socket under this connection (the socket itself without TLS; none over a Unix
   * socket, which has no resets). At the peer's end it is probed with a zero-byte write: see
   * `#onPeerEnd`.
   */
  readonly probe?: Socket | undefined;
  /**
   * Over TLS, the socket under the TLS layer (TCP or Unix). Its write queue holds the
   * encrypted bytes the kernel has not taken yet: whether it still holds some when `close()`
   * destroys the connection, and whether it shrinks while the idle timeout runs.
   */
  readonly under?: Socket | undefined;
  readonly context?: Partial<ErrorContext> | undefined;
}

type Waiter = {
  resolve: (result: IteratorResult<Uint8Array, undefined>) => void;
  reject: (error: unknown) => void;
};
type Deferred = { promise: Promise<void>; resolve: () => void; reject: (error: unknown) => void };

const RESOLVED: Promise<void> = Promise.resolve();
const DONE: IteratorResult<Uint8Array, undefined> = Object.freeze({ done: true, value: undefined });
const noop = (): void => undefined;
const PROBE = Buffer.alloc(0);
/** Bytes a TCP or Unix socket holds that the kernel has not taken yet (libuv's write queue). */
function queuedBytes(socket: Socket | undefined): number {
  const size = (socket as { _handle?: { writeQueueSize?: unknown } | null } | undefined)?._handle?.writeQueueSize;
  return typeof size === 'number' ? size : 0;
}
/** Stands for a write whose bytes a destroyed socket dropped (Node reports no error for it). */
const DROPPED = new Error('write dropped by a destroyed socket');

// A Uint8Array from another realm (a vm context) fails `instanceof`.
function isUint8Array(value: unknown): boolean {
  return ArrayBuffer.isView(value) && (value as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag] === 'Uint8Array';
}

// Plain JavaScript can pass a string (Node would send it as UTF-8 alone, but as zero bytes
// among other chunks) or another typed array: refuse it before anything is written.
function notBytes(chunk: unknown, index: number): TypeError {
  const got = chunk === null ? 'null' : typeof chunk === 'object' ? Object.prototype.toString.call(chunk).slice(8, -1) : typeof chunk;
  return new TypeError(`chunks must be Uint8Arrays (a Buffer is one); chunk ${index} is a ${got}${typeof chunk === 'string' ? ': encode text first (new TextEncoder().encode(text))' : ''}`);
}

/** A promise whose rejection is never reported as unhandled (the caller may still await it). */
function quiet<T>(promise: Promise<T>): Promise<T> {
  promise.catch(noop);
  return promise;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = quiet(
    new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    }),
  );
  return { promise, resolve, reject };
}

/**
 * Parts shorter than this are copied together into one buffer before they are written; longer
 * ones go to the socket as they are. Copying a few hundred bytes costs less than a socket
 * write of its own (a `Buffer` wrapper, a queue entry and an iovec each), so a batch of many
 * small frames becomes a handful of buffers instead of thousands.
 */
export const COALESCE_BELOW = 2048;
// Parts up to this length are copied byte by byte (cheaper than a call to `set`).
const BYTE_COPY_MAX = 16;

function copyInto(out: Uint8Array, at: number, part: Uint8Array): void {
  const n = part.length;
  if (n <= BYTE_COPY_MAX) for (let k = 0; k < n; k++) out[at + k] = part[k]!;
  else out.set(part, at);
}

/**
 * Writes several parts as one socket write (one `write`/`writev`; over TLS one record). Runs
 * of small parts are copied into one buffer; large parts are passed through uncopied, corked
 * together with the rest.
 */
function writeParts(socket: Socket, parts: readonly Uint8Array[], done: WriteDone | undefined): boolean {
  let small = 0;
  let large = 0;
  for (const part of parts) {
    const n = part.length;
    if (n >= COALESCE_BELOW) large++;
    else small += n;
  }
  if (large === 0) {
    if (small === 0) return false;
    const out = Buffer.allocUnsafe(small);
    let at = 0;
    for (const part of parts) {
      copyInto(out, at, part);
      at += part.length;
    }
    socket.write(out, done);
    return true;
  }
  if (small === 0 && large === 1) {
    for (const part of parts) if (part.length > 0) socket.write(part, done);
    return true;
  }
  // Corked, the buffers leave in one writev() (TLS: one record) instead of one write each.
  // Each buffer is written once the next is known, so that the last one carries `done`.
  socket.cork();
  const out = small > 0 ? Buffer.allocUnsafe(small) : undefined;
  let last: Uint8Array | undefined;
  const emit = (buffer: Uint8Array): void => {
    if (last !== undefined) socket.write(last);
    last = buffer;
  };
  let start = 0;
  let at = 0;
  for (const part of parts) {
    const n = part.length;
    if (n >= COALESCE_BELOW) {
      if (at > start) {
        emit(out!.subarray(start, at));
        start = at;
      }
      emit(part);
    } else if (n > 0) {
      copyInto(out!, at, part);
      at += n;
    }
  }
  if (at > start) emit(out!.subarray(start, at));
  socket.write(last!, done);
  socket.uncork();
  return true;
}

/** The callback of a socket write: Node is done with its buffer (or the write failed). */
type WriteDone = (error?: Error | null) => void;

/** The {@link Connection} over a connected `net.Socket` or `tls.TLSSocket`. */
export class SocketConnection implements Connection {
  readonly localAddress: string;
  readonly remoteAddress: string;
  readonly localEndpoint: Endpoint;
  readonly remoteEndpoint: Endpoint;
  readonly encrypted: boolean;
  readonly closed: Promise<void>;

  readonly #socket: Socket;
  readonly #probe: Socket | undefined;
  readonly #under: Socket | undefined;
  readonly #recvSize: number | undefined;
  readonly #context: ErrorContext;
  // Whether reading goes through `onread` (stop by returning false) or 'data' events (pause()).
  readonly #viaPort: boolean;
  readonly #port: ReadPort | undefined;

  // Received chunks nobody has asked for yet. Reading pauses once they reach the socket's
  // `readableHighWaterMark` (Node's own reads stop there too), or `recvSize` if smaller: at
  // most that and one read.
  #queue: Uint8Array[] = [];
  readonly #readAhead: number;
  // Bytes read through `onread` after the loop ended early, and dropped: up to the read-ahead,
  // so that the peer's end or a reset is still noticed, as with Node's own reads.
  #dropped = 0;
  #waiter: Waiter | undefined;
  // Length of the chunk last handed to the reader, until it asks for the next one.
  #atHand = 0;
  #paused = true;
  #iterated = false;
  // A chunk has been handed to the reader: its reads can no longer be switched.
  #handedOut = false;
  // The peer ended (or the socket closed): no more chunks will come.
  #readEnded = false;
  // The iterator has returned done or thrown: `next()` keeps returning done.
  #readDone = false;
  #error: Error | undefined;
  #isClosed = false;
  #resolveClosed!: () => void;
  #rejectClosed!: (error: unknown) => void;
  #drain: Deferred | undefined;
  #end: Deferred | undefined;
  // TLS: whether the socket under it still had bytes to send when close() destroyed it.
  #unsentAtClose = false;
  // close() destroyed the socket (with or without an error), not a failure of the socket.
  #closedHere = false;
  // TLS: the write queue of the socket under it when the idle timeout last fired.
  #queuedAtTimeout = 0;

  constructor(socket: Socket, config: SocketConfig, init: ConnectionInit) {
    this.#socket = socket;
    this.#probe = init.probe;
    this.#under = init.under;
    this.#recvSize = config.recvSize;
    this.localEndpoint = init.local;
    this.remoteEndpoint = init.remote;
    this.localAddress = formatEndpoint(init.local);
    this.remoteAddress = formatEndpoint(init.remote);
    this.encrypted = 'encrypted' in socket && socket.encrypted === true;
    this.#context = { address: this.remoteAddress, ...init.context, established: true };
    this.closed = quiet(
      new Promise<void>((resolve, reject) => {
        this.#resolveClosed = resolve;
        this.#rejectClosed = reject;
      }),
    );

    socket.setNoDelay(config.noDelay);
    if (config.keepAlive !== false) socket.setKeepAlive(true, config.keepAlive);
    if (config.idleTimeout > 0) {
      socket.setTimeout(config.idleTimeout);
      socket.on('timeout', () => {
        this.#onTimeout(config.idleTimeout);
      });
    }

    socket.on('end', () => {
      this.#onPeerEnd();
    });
    socket.on('error', (error) => {
      // A paused socket still reads ahead into Node's buffer (up to its highWaterMark). The
      // bytes it read before the error are still there: queue them before the error, which
      // the reader then gets after them. (read() emits no 'data' once the error is out.)
      if (!this.#viaPort) {
        let chunk: unknown;
        while ((chunk = socket.read()) instanceof Uint8Array) this.#onChunk(chunk);
      }
      this.#fail(toTransportError(error, this.#context));
    });
    socket.on('close', () => {
      this.#onClose();
    });
    socket.on('drain', () => {
      const drain = this.#drain;
      this.#drain = undefined;
      drain?.resolve();
    });
    socket.on('finish', () => {
      // Everything was written: no 'drain' comes after end(), so a drained() waiting ends here.
      const drain = this.#drain;
      this.#drain = undefined;
      drain?.resolve();
      this.#end?.resolve();
    });

    this.#port = init.port;
    // With a small recvSize, reading ahead that far would take thousands of tiny reads.
    this.#readAhead = Math.min(socket.readableHighWaterMark, config.recvSize ?? Infinity);
    if (init.port !== undefined) {
      this.#viaPort = true;
      init.port.sink = (chunk) => this.#onChunk(chunk);
      init.port.unread = () => this.#unread();
      init.port.fail = (error) => {
        this.close(error);
      };
      for (const chunk of init.port.early.splice(0)) this.#onChunk(chunk);
      // After the chunks read before it: the reader gets them, then the error.
      if (init.port.failure !== undefined) this.close(init.port.failure);
    } else {
      this.#viaPort = false;
      // Paused first, so attaching 'data' does not start the flow: nothing is read from
      // the kernel until the reader asks.
      socket.pause();
      socket.on('data', (chunk: Buffer) => {
        this.#onChunk(chunk);
      });
    }
    if (socket.destroyed) this.#onClose();
  }

  get error(): Error | undefined {
    return this.#error;
  }

  get isClosed(): boolean {
    return this.#isClosed || this.#socket.destroyed;
  }

  get bytesRead(): number {
    return this.#socket.bytesRead;
  }

  get bytesWritten(): number {
    return this.#socket.bytesWritten;
  }

  [READ_INTO](memory: RecvMemory): boolean {
    if (!isRecvMemory(memory)) {
      throw new TypeError(`read memory must be an object with next() and filled(bytesRead) methods (got ${describe(memory)})`);
    }
    const port = this.#port;
    if (port === undefined || !port.canSwitch || this.#handedOut || this.#readDone || this.isClosed || this.#error !== undefined) {
      return false;
    }
    port.switchTo(memory);
    const queued = this.#queue;
    this.#queue = [];
    for (const chunk of queued) this.#queue.push(...port.relay(chunk));
    return true;
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array, undefined> {
    if (this.#iterated) {
      throw new TypeError('a Connection can be iterated only once: its chunks are consumed as they are read');
    }
    this.#iterated = true;
    return {
      next: () => this.#next(),
      return: () => {
        this.#stopReading();
        return Promise.resolve(DONE);
      },
    };
  }

  send(...chunks: Uint8Array[]): boolean {
    this.#write(chunks, undefined);
    return !this.#socket.writableNeedDrain;
  }

  write(...chunks: Uint8Array[]): Promise<void> {
    const done = deferred();
    const socket = this.#socket;
    // Whether the write was still queued (in Node or libuv) when socket.write returned. Node
    // calls the callback of a write that was under way when the socket was destroyed without
    // an error, although its bytes were dropped: such a write must reject. A write that went
    // to the kernel at once has its callback deferred a tick, so a close() in the meantime
    // (with an error or not) must not turn it into a failure. Over TLS, see close(); there, a
    // write under way when the socket fails (a reset) is taken as failed.
    let queued = false;
    try {
      const wrote = this.#write(chunks, (error) => {
        if (error !== undefined && error !== null) done.reject(this.#writeError(error));
        else if (socket.destroyed && (this.encrypted ? this.#unsentAtClose || (this.#error !== undefined && !this.#closedHere) : queued)) {
          done.reject(this.#writeError(DROPPED));
        } else done.resolve();
      });
      if (!wrote) done.resolve();
      else queued = socket.writableLength > 0;
    } catch (error) {
      return quiet(Promise.reject(error as Error));
    }
    return done.promise;
  }

  /** Hands the chunks to the socket in one write; false when they are all empty. */
  #write(chunks: readonly Uint8Array[], done: WriteDone | undefined): boolean {
    const socket = this.#socket;
    if (this.#error !== undefined) throw this.#error;
    if (socket.destroyed) throw new ConnectionClosedError();
    if (socket.writableEnded) throw new ConnectionClosedError('cannot write after end()');
    for (let i = 0; i < chunks.length; i++) {
      const chunk: unknown = chunks[i];
      if (!(chunk instanceof Uint8Array) && !isUint8Array(chunk)) throw notBytes(chunk, i);
    }
    if (chunks.length === 1) {
      const chunk = chunks[0]!;
      if (chunk.length === 0) return false;
      socket.write(chunk, done);
      return true;
    }
    return chunks.length > 1 && writeParts(socket, chunks, done);
  }

  // What a failed socket write rejects with: the connection's error (Node calls the write's
  // callback before it emits that error), or a ConnectionClosedError after a local close().
  #writeError(error: Error): Error {
    if (this.#error === undefined) {
      if (error === DROPPED || (error as { code?: unknown }).code === 'ERR_STREAM_DESTROYED') {
        return new ConnectionClosedError('connection closed before the write completed');
      }
      this.#fail(toTransportError(error, this.#context));
    }
    return this.#error ?? error;
  }

  drained(): Promise<void> {
    const socket = this.#socket;
    if (this.#error !== undefined) return quiet(Promise.reject(this.#error));
    if (socket.destroyed) return quiet(Promise.reject(new ConnectionClosedError()));
    // Once end() is called Node reports no need to drain (it takes no more writes), though
    // the bytes written may still be queued: wait for them, as end() does, so that a close
    // before they are out rejects instead of having resolved.
    if (socket.writableEnded ? socket.writableFinished : !socket.writableNeedDrain) return RESOLVED;
    this.#drain ??= deferred();
    return this.#drain.promise;
  }

  end(): Promise<void> {
    if (this.#end !== undefined) return this.#end.promise;
    const end = deferred();
    this.#end = end;
    const socket = this.#socket;
    if (socket.writableFinished) end.resolve();
    else if (socket.destroyed) end.reject(this.#error ?? new ConnectionClosedError('connection closed before end()'));
    else socket.end();
    return end.promise;
  }

  close(error?: Error): void {
    // The first close decides. Once the socket is closed or being destroyed (an earlier
    // close(), a failure, or both sides' ends), a later call changes nothing: destroy() marks
    // the socket at once, but 'close' only comes on a later tick, so `#isClosed` alone would
    // let a close(error) right after a clean close() turn it into a failed one.
    if (this.isClosed) return;
    if (error !== undefined) this.#fail(error);
    // Over TLS Node calls back the writes under way at a destroy without an error, sent or
    // not: whether the socket under it (TCP or Unix) still held bytes decides if they were
    // dropped, whatever error close() was given (see write()).
    if (this.encrypted) this.#unsentAtClose = queuedBytes(this.#under) > 0;
    this.#closedHere = true;
    this.#socket.destroy();
  }

  /**
   * `idleTimeout` ms passed with no read and no write. Node holds the timeout back by itself
   * while a plain socket's write queue shrinks: a long write to a slow reader is making
   * progress. Over TLS the queue that shrinks is the one of the socket under the TLS layer,
   * which Node does not look at, so the check is made here, with the same granularity: the
   * queue must have changed since the timeout last fired.
   */
  #onTimeout(timeout: number): void {
    const queued = queuedBytes(this.#under);
    if (queued > 0 && queued !== this.#queuedAtTimeout) {
      this.#queuedAtTimeout = queued;
      this.#socket.setTimeout(timeout);
      return;
    }
    this.close(new IdleTimeoutError(timeout));
  }

  #next(): Promise<IteratorResult<Uint8Array, undefined>> {
    this.#atHand = 0;
    if (this.#queue.length > 0) {
      const value = this.#shift();
      // Read ahead one chunk while the caller works on this one.
      if (this.#queue.length === 0 && !this.#readEnded) this.#resume();
      return Promise.resolve({ value, done: false });
    }
    if (this.#readDone) return Promise.resolve(DONE);
    if (this.#error !== undefined) {
      this.#readDone = true;
      return Promise.reject(this.#error);
    }
    if (this.#readEnded) {
      this.#readDone = true;
      return Promise.resolve(DONE);
    }
    if (this.#waiter !== undefined) {
      return Promise.reject(new TypeError('next() called again before the previous call settled'));
    }
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
      this.#resume();
    });
  }

  /** Takes the next chunk off the queue, at most `recvSize` bytes of it, for the reader. */
  #shift(): Uint8Array {
    const head = this.#queue[0]!;
    const size = this.#recvSize;
    let chunk = head;
    if (size !== undefined && head.length > size) {
      this.#queue[0] = head.subarray(size);
      chunk = head.subarray(0, size);
    } else {
      this.#queue.shift();
    }
    this.#atHand = chunk.length;
    this.#handedOut = true;
    return chunk;
  }

  /** Bytes read that the reader has not finished with: queued, and the chunk at hand. */
  #unread(): number {
    return this.#atHand + this.#queued();
  }

  /** Bytes queued for the reader. */
  #queued(): number {
    let sum = 0;
    for (const chunk of this.#queue) sum += chunk.length;
    return sum;
  }

  /** A chunk arrived. Returns whether the socket may go on reading. */
  #onChunk(chunk: Uint8Array): boolean {
    if (this.#readDone) {
      this.#dropped += chunk.length;
      return this.#dropped < this.#readAhead;
    }
    if (chunk.length === 0) return true;
    this.#queue.push(chunk);
    const waiter = this.#waiter;
    if (waiter !== undefined) {
      this.#waiter = undefined;
      waiter.resolve({ value: this.#shift(), done: false });
      if (this.#queue.length === 0) return true;
    }
    // Through `onread`, reading goes on to the read-ahead, as Node's own reads would.
    if (this.#viaPort && this.#queued() < this.#readAhead) return true;
    this.#pause();
    return false;
  }

  #pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    // Through `onread`, returning false from the callback stops the reads.
    if (!this.#viaPort) this.#socket.pause();
  }

  #resume(): void {
    if (!this.#paused || this.#isClosed) return;
    this.#paused = false;
    this.#socket.resume();
  }

  #stopReading(): void {
    this.#readDone = true;
    this.#queue = [];
    // A next() still waiting (return() called beside it, not after it) ends with the loop.
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.resolve(DONE);
    this.#pause();
    // Through `onread` the socket reads on, dropping what it reads (see #dropped), and flows,
    // so that its end and close still come.
    if (this.#viaPort) this.#socket.resume();
  }

  /**
   * The socket reported end-of-stream. Node 20's libuv also reports a reset (RST) that lands
   * right after data as an end. The reset is still pending on the TCP socket, so a
   * zero-byte write to it fails (ECONNRESET, or EPIPE once the FIN was in) after a reset and
   * succeeds after a real FIN. While this side can still write, that probe decides: a
   * clean end, or a `ConnectionResetError`. Without a TCP socket to probe (a Unix socket),
   * or once this side has ended, an end is an end.
   *
   * While bytes wait in the socket's write queue (a peer that ended without reading them),
   * a probe would wait behind them, perhaps for ever, and the reader would never see the
   * end. No probe is needed then: libuv watches a socket with queued writes for writability,
   * and a pending reset fails those writes (an error for the connection) in the same poll of
   * the event loop as the end was read. The end is taken once that poll is over
   * (`setImmediate`), unless the connection failed meanwhile.
   */
  #onPeerEnd(): void {
    const probe = this.#probe;
    if (probe === undefined || probe.destroyed || !probe.writable || this.#socket.writableEnded || this.#error !== undefined) {
      this.#onReadEnd();
      return;
    }
    if (probe.writableLength > 0 || queuedBytes(probe) > 0) {
      setImmediate(() => {
        if (this.#error === undefined) this.#onReadEnd();
      });
      return;
    }
    probe.write(PROBE, (error?: Error | null) => {
      if (error === undefined || error === null) this.#onReadEnd();
      else {
        this.#fail(toTransportError(error, this.#context));
        this.#socket.destroy();
      }
    });
  }

  #onReadEnd(): void {
    this.#readEnded = true;
    const waiter = this.#waiter;
    if (waiter !== undefined) {
      this.#waiter = undefined;
      this.#readDone = true;
      waiter.resolve(DONE);
    }
  }

  /** Records the first error and wakes whoever waits; the socket closes after. */
  #fail(error: Error): void {
    if (this.#error !== undefined) return;
    this.#error = error;
    const waiter = this.#waiter;
    if (waiter !== undefined) {
      this.#waiter = undefined;
      this.#readDone = true;
      waiter.reject(error);
    }
    const drain = this.#drain;
    this.#drain = undefined;
    drain?.reject(error);
  }

  #onClose(): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    const error = this.#error;
    if (error === undefined) this.#onReadEnd();
    else this.#fail(error);
    this.#drain?.reject(error ?? new ConnectionClosedError('connection closed before the send buffer drained'));
    this.#drain = undefined;
    if (this.#end !== undefined && !this.#socket.writableFinished) {
      this.#end.reject(error ?? new ConnectionClosedError('connection closed before end() completed'));
    }
    if (error === undefined) this.#resolveClosed();
    else this.#rejectClosed(error);
  }
}
