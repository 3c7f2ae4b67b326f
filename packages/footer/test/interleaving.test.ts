// Decoders keep state between calls (scan positions, a view of the front chunk). A caller may
// push chunks between decode calls without draining first: the frames must not change.
import { ChunkBuffer, UnencodablePayloadError } from '@framewire/chunk-buffer';
import type { FramingStrategy } from '@framewire/chunk-buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cobs, crlf, delimiter, line, nul, slip } from '../src/index.js';
import { encodeAll, outcome, run, text, toHex } from './helpers.js';

const strategies: [string, FramingStrategy][] = [
  ['line', line()],
  ['crlf', crlf()],
  ['nul', nul()],
  ['delim:3b3b + 00', delimiter({ delimiters: [text(';;'), Uint8Array.of(0)] })],
  ['delim:0d + 0d0a', delimiter({ delimiters: [Uint8Array.of(0x0d), Uint8Array.of(0x0d, 0x0a)] })],
  ['cobs', cobs()],
  ['slip', slip()],
  ['slip without leading END', slip({ leadingEnd: false })],
];

const byte = fc.oneof(fc.constantFrom(0x00, 0x0a, 0x0d, 0x3b, 0xc0, 0xdb, 0xdc, 0xdd), fc.integer({ min: 0, max: 255 }));
const payload = fc.array(byte, { maxLength: 300, size: 'small' }).map((a) => Uint8Array.from(a));

describe('decoding with pushes between decode calls gives the same frames', () => {
  for (const [name, strategy] of strategies) {
    it(name, () => {
      const enc = strategy.createEncoder();
      const carried = (p: Uint8Array): boolean => {
        try {
          enc.encode(p);
          return true;
        } catch (error) {
          expect(error).toBeInstanceOf(UnencodablePayloadError);
          return false;
        }
      };
      fc.assert(
        fc.property(
          fc.array(payload, { maxLength: 8 }),
          fc.array(fc.tuple(fc.integer({ min: 1, max: 80 }), fc.integer({ min: 0, max: 3 }), fc.boolean()), {
            minLength: 1,
            maxLength: 12,
          }),
          (candidates, plan) => {
            const payloads = candidates.filter(carried);
            const wire = encodeAll(strategy, payloads);
            const dec = strategy.createDecoder();
            const buffer = new ChunkBuffer();
            const frames: string[] = [];
            let at = 0;
            for (let k = 0; at < wire.length; k++) {
              const [size, calls, emptyFirst] = plan[k % plan.length]!;
              if (emptyFirst) buffer.push(new Uint8Array(0));
              buffer.push(wire.subarray(at, at + size));
              at += size;
              // Only some decode calls, frames left waiting in the buffer on purpose.
              for (let c = 0; c < calls; c++) {
                const frame = dec.decode(buffer);
                if (frame === undefined) break;
                frames.push(toHex(frame));
              }
            }
            for (let frame = dec.decode(buffer); frame !== undefined; frame = dec.decode(buffer)) frames.push(toHex(frame));
            // With 0d and 0d0a, a final 0d is only settled at the end: end() returns that frame.
            const last = dec.end(buffer);
            if (last !== undefined) frames.push(toHex(last));
            expect(frames).toEqual(payloads.map(toHex));
          },
        ),
        { numRuns: 1000 },
      );
    });
  }
});

// Any bytes at all, small limits, both onTooLong modes: frames and errors must not depend on
// how the stream was cut (one chunk takes the fast path over a view of the chunk, 1-byte
// chunks the buffer's searches).
describe('random bytes give the same frames and errors under any chunking', () => {
  const limited: [string, (max: number) => FramingStrategy][] = [
    ['line', (max) => line({ maxFrameLength: max })],
    ['line, discard', (max) => line({ maxFrameLength: max, onTooLong: 'discard' })],
    ['crlf, discard', (max) => crlf({ maxFrameLength: max, onTooLong: 'discard' })],
    ['delim:0d + 0d0a + 3b3b, discard', (max) =>
      delimiter({ delimiters: [Uint8Array.of(0x0d), Uint8Array.of(0x0d, 0x0a), text(';;')], maxFrameLength: max, onTooLong: 'discard' })],
    ['cobs', (max) => cobs({ maxFrameLength: max })],
    ['cobs, discard', (max) => cobs({ maxFrameLength: max, onTooLong: 'discard' })],
    ['slip', (max) => slip({ maxFrameLength: max })],
    ['slip, discard', (max) => slip({ maxFrameLength: max, onTooLong: 'discard' })],
  ];
  const stream = fc.array(byte, { maxLength: 120 }).map((a) => Uint8Array.from(a));
  for (const [name, make] of limited) {
    it(name, () => {
      fc.assert(
        fc.property(stream, fc.integer({ min: 0, max: 12 }), fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 5 }), (wire, max, sizes) => {
          const s = make(max);
          const whole = outcome(run(s, [wire]));
          expect(outcome(run(s, Array.from(wire, (b) => Uint8Array.of(b))))).toEqual(whole);
          const chunks: Uint8Array[] = [];
          for (let at = 0, k = 0; at < wire.length; k++) {
            const size = sizes[k % sizes.length]!;
            chunks.push(wire.subarray(at, at + size));
            at += size;
          }
          expect(outcome(run(s, chunks))).toEqual(whole);
        }),
        { numRuns: 1000 },
      );
    });
  }
});
