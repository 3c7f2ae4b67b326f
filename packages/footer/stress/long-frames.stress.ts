// The example at full size: a 64 MiB frame arriving in 1 KiB chunks is scanned once,
// not once per chunk (65,536 chunks: a decoder that re-scanned would touch 2^41 bytes).
import type { FramingStrategy } from '@framewire/chunk-buffer';
import { CountingChunkBuffer } from '@framewire/conformance';
import { describe, expect, it } from 'vitest';
import { cobs, line, slip } from '../src/index.js';
import { encodeAll } from '../test/helpers.js';

const SIZE = 64 * 1024 * 1024;
const CHUNK = 1024;

function feed(strategy: FramingStrategy, wire: Uint8Array): { lengths: number[]; inspected: number } {
  const dec = strategy.createDecoder();
  const buffer = new CountingChunkBuffer();
  const lengths: number[] = [];
  for (let at = 0; at < wire.length; at += CHUNK) {
    buffer.push(wire.subarray(at, at + CHUNK));
    for (let frame = dec.decode(buffer); frame !== undefined; frame = dec.decode(buffer)) lengths.push(frame.length);
  }
  expect(dec.end(buffer)).toBeUndefined();
  return { lengths, inspected: buffer.bytesInspected };
}

describe('a 64 MiB frame in 1 KiB chunks is scanned once', () => {
  it('line', () => {
    const wire = new Uint8Array(SIZE + 2).fill(0x61);
    wire[SIZE] = 0x0d;
    wire[SIZE + 1] = 0x0a;
    const { lengths, inspected } = feed(line({ maxFrameLength: SIZE }), wire);
    expect(lengths).toEqual([SIZE]);
    // One pass of the search, one of the take (which copies the frame out of its chunks).
    expect(inspected).toBeLessThanOrEqual(2.01 * wire.length);
  });

  it('cobs', () => {
    const s = cobs({ maxFrameLength: SIZE });
    const payload = new Uint8Array(SIZE).fill(0x61);
    for (let i = 0; i < SIZE; i += 1000) payload[i] = 0;
    const { lengths, inspected } = feed(s, encodeAll(s, [payload]));
    expect(lengths).toEqual([SIZE]);
    expect(inspected).toBeLessThanOrEqual(2.01 * (SIZE + SIZE / 254 + 2));
  });

  it('slip', () => {
    const s = slip({ maxFrameLength: SIZE });
    const payload = new Uint8Array(SIZE).fill(0x61);
    for (let i = 0; i < SIZE; i += 1000) payload[i] = 0xc0;
    const wire = encodeAll(s, [payload]);
    const { lengths, inspected } = feed(s, wire);
    expect(lengths).toEqual([SIZE]);
    // The END search, the escape count for the limit, the take.
    expect(inspected).toBeLessThanOrEqual(3.01 * wire.length);
  });
});
