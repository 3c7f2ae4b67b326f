import { encodeFrame } from '@framewire/chunk-buffer';
import type { FramingOptions, FramingStrategy } from '@framewire/chunk-buffer';
import { describe, expect, it } from 'vitest';
import { bytes, decodeChunks, encodeAll, expectEverySplit, hex, payload, toHex } from '../test/helpers.js';
import { u8, u16be, u16le, u24be, u32be, u32le, u64be, u64le } from './presets.js';

// The table in the presets' TSDoc: each preset's encoding of "hi".
const TABLE: [string, (options?: FramingOptions) => FramingStrategy, string][] = [
  ['u8', u8, '02 68 69'],
  ['u16be', u16be, '00 02 68 69'],
  ['u16le', u16le, '02 00 68 69'],
  ['u24be', u24be, '00 00 02 68 69'],
  ['u32be', u32be, '00 00 00 02 68 69'],
  ['u32le', u32le, '02 00 00 00 68 69'],
  ['u64be', u64be, '00 00 00 00 00 00 00 02 68 69'],
  ['u64le', u64le, '02 00 00 00 00 00 00 00 68 69'],
];

describe('presets', () => {
  it.each(TABLE)('%s encodes "hi" as in the table and decodes it under every split', (name, factory, wire) => {
    const strategy = factory();
    expect(strategy.name).toBe(name);
    expect(toHex(encodeFrame(strategy.createEncoder(), bytes('hi')))).toBe(wire.toLowerCase());
    expectEverySplit(strategy, hex(wire), { frames: [bytes('hi')] });
  });

  it.each(TABLE)('%s splits a stream of several frames, empty ones included, at every byte', (_name, factory) => {
    const strategy = factory();
    const frames = [new Uint8Array(0), payload(5, 1), new Uint8Array(0), bytes('ok')];
    expectEverySplit(strategy, encodeAll(strategy, frames), { frames });
  });

  it.each(TABLE)('%s takes maxFrameLength and enforces it both ways', (name, factory) => {
    const strategy = factory({ maxFrameLength: 3 });
    expect(strategy.maxFrameLength).toBe(3);
    expect(() => strategy.createEncoder().encode(payload(4))).toThrow(expect.objectContaining({ code: 'ERR_FRAME_TOO_LARGE' }) as Error);
    const over = encodeAll(factory({ maxFrameLength: 4 }), [payload(4)]);
    const result = decodeChunks(strategy, [over]);
    expect(result.error?.code, name).toBe('ERR_FRAME_TOO_LARGE');
  });

  it('cap the limit at what their field can express', () => {
    expect(u8().maxFrameLength).toBe(255);
    expect(u8().maxWireLength).toBe(256);
    expect(u16be().maxFrameLength).toBe(65535);
    expect(u16le({ maxFrameLength: 1_000_000 }).maxFrameLength).toBe(65535);
    expect(u24be({ maxFrameLength: 2 ** 30 }).maxFrameLength).toBe(2 ** 24 - 1);
    expect(u32be().maxFrameLength).toBe(8 * 1024 * 1024);
    expect(u64le({ maxFrameLength: 2 ** 40 }).maxFrameLength).toBe(2 ** 40);
  });

  it('u8 encodes 255 bytes and refuses 256, naming the field', () => {
    const encoder = u8().createEncoder();
    expect(encoder.encode(payload(255))[0]).toEqual(hex('ff'));
    expect(() => encoder.encode(payload(256))).toThrow(
      'u8 cannot encode a payload of 256 bytes: its 1-byte length field holds at most 255, so frames are limited to 255 bytes',
    );
  });

  it('ignore layout options smuggled into their options object', () => {
    const strategy = u16be({ maxFrameLength: 10, lengthFieldOffset: 3 } as FramingOptions);
    expect(strategy.name).toBe('u16be');
    expectEverySplit(strategy, hex('00 01 41'), { frames: [bytes('A')] });
  });

  it('reject options that are not an object, naming the preset', () => {
    expect(() => u32le('big' as FramingOptions)).toThrow(new TypeError('u32le() options must be an object (got "big")'));
  });
});
