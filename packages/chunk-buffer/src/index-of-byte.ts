/** A search for one byte value: `indexOf` as the methods of Uint8Array and Buffer take it. */
type ByteSearch = (this: Uint8Array, byte: number, from: number) => number;

// eslint-disable-next-line @typescript-eslint/unbound-method -- only ever called with .call
const plainSearch: ByteSearch = Uint8Array.prototype.indexOf;
// Longest array Node's search answers right: it returns offsets as 32-bit integers.
const MAX_NATIVE = 0x7fffffff;

/**
 * The fastest byte search the platform offers. On Node that is `Buffer.prototype.indexOf`:
 * `memchr`, and it takes any `Uint8Array`, not only Buffers. V8's own
 * `Uint8Array.prototype.indexOf` compares byte by byte, many times slower over more than a few
 * bytes. Everywhere else (a browser, a runtime without `Buffer`, one whose `Buffer` fails the
 * check below) it is `Uint8Array.prototype.indexOf`.
 */
const search: ByteSearch = chooseByteSearch(
  (globalThis as { Buffer?: { prototype?: { indexOf?: unknown } } }).Buffer?.prototype?.indexOf,
);

/**
 * `candidate` (Node's `Buffer.prototype.indexOf`, or whatever a runtime has under that name)
 * if it searches a plain `Uint8Array` view as `Uint8Array.prototype.indexOf` does, else that
 * one. Internal to the package (exported for its tests).
 */
export function chooseByteSearch(candidate: unknown): ByteSearch {
  if (typeof candidate !== 'function') return plainSearch;
  const found = candidate as ByteSearch;
  // A plain Uint8Array that is a view with an offset: [1, 2, 1] inside [7, 1, 2, 1, 9].
  const bytes = new Uint8Array([7, 1, 2, 1, 9]).subarray(1, 4);
  try {
    const agrees =
      found.call(bytes, 1, 0) === 0 &&
      found.call(bytes, 1, 1) === 2 &&
      found.call(bytes, 2, 2) === -1 &&
      found.call(bytes, 7, 0) === -1 &&
      found.call(bytes, 9, 0) === -1 &&
      found.call(bytes, 1, 3) === -1 &&
      found.call(bytes, 1, 10) === -1;
    return agrees ? found : plainSearch;
  } catch {
    return plainSearch;
  }
}

/**
 * Offset of the first `byte` in `bytes` at or after `from`, or -1: what `bytes.indexOf(byte,
 * from)` returns, for a `byte` from 0 to 255 and a whole `from` of 0 or more (not checked: a
 * hot-path helper), and a `TypeError` for a detached view as that does. On Node it searches
 * with `memchr` whatever the kind of `bytes` (a plain `Uint8Array` too, which its own `indexOf`
 * searches byte by byte) and without the property lookup a Buffer's `indexOf` costs in
 * optimized code; elsewhere it is `Uint8Array.prototype.indexOf`. For decoders that search the
 * chunks they are given (the footer strategies use it).
 */
export function indexOfByte(bytes: Uint8Array, byte: number, from: number): number {
  const n = bytes.length;
  // Node's search returns a 32-bit offset (wrong past 2 GiB), and takes a detached view (length
  // 0) as empty where Uint8Array's throws: those go to Uint8Array's.
  return n !== 0 && n <= MAX_NATIVE ? search.call(bytes, byte, from) : plainSearch.call(bytes, byte, from);
}
