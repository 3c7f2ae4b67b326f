import { Deframer, concatBytes } from '@framewire/chunk-buffer';
import { describe, expect, it } from 'vitest';
import { cobs } from './cobs.js';
import { slip } from './slip.js';

/**
 * `bytes`, made to act like a Node `Buffer` (which the footer may not name): `slice` makes a
 * view, not a copy, and so do the views `subarray` makes. The decoders must never write
 * through such a view into a received chunk.
 */
function viewSlicing(bytes: Uint8Array): Uint8Array {
  const view = (start?: number, end?: number): Uint8Array => viewSlicing(Uint8Array.prototype.subarray.call(bytes, start, end));
  return Object.defineProperties(bytes, { subarray: { value: view }, slice: { value: view } });
}

// Frames that span chunks apart in memory are taken as one copy and decoded in place: the
// received chunks must come out untouched, and each frame must be whole.
describe('frames spanning chunks are decoded in place, never in the received chunks', () => {
  const random = (n: number, seed: number): Uint8Array => {
    const out = new Uint8Array(n);
    let x = seed;
    for (let i = 0; i < n; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      out[i] = x >>> 24;
    }
    return out;
  };
  // Payloads with zeros, long zero-free runs (FF blocks in COBS) and C0/DB bytes (SLIP escapes).
  const payloads = [
    random(3000, 1),
    new Uint8Array(1000).fill(0xc0),
    new Uint8Array(1000).fill(0xdb),
    new Uint8Array(700).fill(0x55),
    random(70, 2),
    new Uint8Array(600),
    random(5000, 3).map((b) => (b === 0 ? 1 : b)),
  ];

  // Chunks apart in memory are copied by `take`; chunks back to back in one buffer (views of
  // the wire, as reads into one block give them) come out of `take` as a view, which must be
  // decoded out of place like a view of one chunk.
  for (const strategy of [cobs(), slip()]) {
    for (const [chunkSize, layout] of [1, 7, 64, 1000, 4096].flatMap((n) => [[n, 'apart'], [n, 'back to back']] as const)) {
      it(`${strategy.name}, ${chunkSize}-byte chunks ${layout}`, () => {
        const encoder = strategy.createEncoder();
        const wire = concatBytes(payloads.flatMap((p) => encoder.encode(p)));
        const chunks: Uint8Array[] = [];
        for (let i = 0; i < wire.length; i += chunkSize) {
          chunks.push(layout === 'apart' ? wire.slice(i, i + chunkSize) : wire.subarray(i, i + chunkSize));
        }
        const copies = chunks.map((c) => c.slice());
        const deframer = new Deframer(strategy);
        const frames: Uint8Array[] = [];
        for (const chunk of chunks) deframer.push(chunk, (f) => frames.push(f.slice()));
        deframer.end((f) => frames.push(f.slice()));
        expect(frames).toEqual(payloads);
        expect(chunks).toEqual(copies);
      });
    }
  }
});

describe('chunks whose slice() makes a view (Node Buffers) are never written to', () => {
  // Small frames with several COBS blocks and with one SLIP escape: the decoders copy them out.
  const payloads = Array.from({ length: 200 }, (_, i) => Uint8Array.from({ length: 1 + (i % 64) }, (_, k) => [0, 0xc0, 0xdb, k, i][k % 5]!));

  for (const strategy of [cobs(), slip()]) {
    for (const chunkSize of [1, 5, 100, 65536]) {
      it(`${strategy.name}, ${chunkSize}-byte chunks`, () => {
        const encoder = strategy.createEncoder();
        const wire = Uint8Array.from(payloads.flatMap((p) => encoder.encode(p).flatMap((part) => Array.from(part))));
        const chunks: Uint8Array[] = [];
        for (let i = 0; i < wire.length; i += chunkSize) chunks.push(viewSlicing(wire.slice(i, i + chunkSize)));
        const copies = chunks.map((c) => Uint8Array.from(c));
        const deframer = new Deframer(strategy);
        const frames: Uint8Array[] = [];
        for (const chunk of chunks) deframer.push(chunk, (f) => frames.push(Uint8Array.from(f)));
        deframer.end((f) => frames.push(Uint8Array.from(f)));
        expect(frames).toEqual(payloads);
        expect(chunks.map((c) => Uint8Array.from(c))).toEqual(copies);
      });
    }
  }
});
