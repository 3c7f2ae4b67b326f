import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chooseByteSearch, indexOfByte } from '../src/index-of-byte.js';

// eslint-disable-next-line @typescript-eslint/unbound-method -- only ever called with .call
const plainIndexOf = Uint8Array.prototype.indexOf;
// eslint-disable-next-line @typescript-eslint/unbound-method -- compared, not called
const nodeIndexOf = (Buffer.prototype as Buffer).indexOf;

describe('indexOfByte', () => {
  it('finds what Uint8Array.prototype.indexOf finds, in Buffers and plain views at any offset', () => {
    // A small alphabet, so that searches hit, miss and hit at the very start and end.
    const bytes = fc.uint8Array({ maxLength: 80 }).map((a) => a.map((b) => b & 3));
    fc.assert(
      fc.property(bytes, fc.nat(8), fc.nat(3), fc.nat(90), (data, cut, byte, from) => {
        // The same bytes as a view that starts inside its memory, as a plain array and as a Buffer.
        const memory = new Uint8Array(cut + data.length + 3).fill(byte);
        memory.set(data, cut);
        const plain = memory.subarray(cut, cut + data.length);
        const buffer = Buffer.from(memory.buffer, cut, data.length);
        const expected = plainIndexOf.call(data, byte, from);
        expect(indexOfByte(plain, byte, from)).toBe(expected);
        expect(indexOfByte(buffer, byte, from)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it("answers past 2 GiB, where Node's search returns 32-bit offsets, and throws for a detached view", () => {
    // Untouched pages of a large allocation cost no memory.
    const big = new Uint8Array(2 ** 31 + 16);
    big[2 ** 31 + 5] = 7;
    big[2 ** 31 + 1] = 7;
    expect(indexOfByte(big, 7, 0)).toBe(2 ** 31 + 1);
    expect(indexOfByte(big, 7, 2 ** 31 + 2)).toBe(2 ** 31 + 5);
    expect(indexOfByte(big, 7, 2 ** 31 + 6)).toBe(-1);
    const gone = new Uint8Array(8);
    structuredClone(gone.buffer, { transfer: [gone.buffer] });
    expect(() => indexOfByte(gone, 0, 0)).toThrow(TypeError);
  });

  it("uses Node's Buffer search, which also takes plain arrays", () => {
    expect(chooseByteSearch(nodeIndexOf)).toBe(nodeIndexOf);
  });

  it('falls back to Uint8Array.prototype.indexOf without a Buffer, or with one that searches otherwise', () => {
    expect(chooseByteSearch(undefined)).toBe(plainIndexOf);
    expect(chooseByteSearch('indexOf')).toBe(plainIndexOf);
    expect(
      chooseByteSearch(() => {
        throw new TypeError('not a Buffer');
      }),
    ).toBe(plainIndexOf);
    // Reads the whole memory, ignoring where the view starts.
    expect(
      chooseByteSearch(function (this: Uint8Array, byte: number, from: number) {
        return new Uint8Array(this.buffer).indexOf(byte, from);
      }),
    ).toBe(plainIndexOf);
    // Ignores `from`.
    expect(
      chooseByteSearch(function (this: Uint8Array, byte: number) {
        return plainIndexOf.call(this, byte);
      }),
    ).toBe(plainIndexOf);
  });
});
