// Encoders refuse a payload that is not a Uint8Array, as the header strategies' encoders do,
// instead of reading it as bytes wrongly.
import { runInNewContext } from 'node:vm';
import { encodeFrame } from '@framewire/chunk-buffer';
import { describe, expect, it } from 'vitest';
import { FOOTER_STRATEGY_NAMES, cobs, footerStrategy, line, slip } from '../src/index.js';
import { hex, toHex } from './helpers.js';

describe('encoders refuse payloads that are not a Uint8Array', () => {
  const strategies = FOOTER_STRATEGY_NAMES.map((name) => footerStrategy(name === 'delim:HEX' ? 'delim:0d0a' : name)!);

  it('with a TypeError naming the strategy and what was given, for every strategy', () => {
    const given: [unknown, string][] = [
      ['a\nb', '"a\\nb"'],
      [[0xc0, 0], 'an array of 2'],
      [Uint16Array.of(0x100, 2), 'Uint16Array'],
      [new DataView(new ArrayBuffer(2)), 'DataView'],
      [null, 'null'],
      [undefined, 'undefined'],
    ];
    for (const strategy of strategies) {
      const encoder = strategy.createEncoder();
      for (const [payload, shown] of given) {
        expect(() => encoder.encode(payload as Uint8Array), `${strategy.name} ${shown}`).toThrow(
          new TypeError(`${strategy.name} encoder: payload must be a Uint8Array (got ${shown})`),
        );
      }
    }
  });

  it('which they used to put on the wire wrongly', () => {
    // line: the string passed the \n check as is, and went out as two lines.
    expect(() => line().createEncoder().encode('a\nb' as unknown as Uint8Array)).toThrow(TypeError);
    // cobs: 0x100 was cut to a 00 inside the frame (03 00 02 00).
    expect(() => cobs().createEncoder().encode(Uint16Array.of(0x100, 2) as unknown as Uint8Array)).toThrow(TypeError);
    // slip: the array's c0 went out unescaped, ending the frame early.
    expect(() => slip().createEncoder().encode([0x61, 0xc0, 0x62] as unknown as Uint8Array)).toThrow(TypeError);
  });

  it('and take a Node Buffer or a Uint8Array from another realm', () => {
    const foreign = runInNewContext('new Uint8Array([0x68, 0x69])') as Uint8Array;
    expect(foreign instanceof Uint8Array).toBe(false);
    for (const strategy of strategies) {
      const expected = toHex(encodeFrame(strategy.createEncoder(), hex('68 69')));
      expect(toHex(encodeFrame(strategy.createEncoder(), foreign)), strategy.name).toBe(expected);
      expect(toHex(encodeFrame(strategy.createEncoder(), Buffer.from('hi'))), strategy.name).toBe(expected);
    }
  });
});
