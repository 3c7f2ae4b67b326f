// Encoders take any Uint8Array — a Node Buffer, one from another realm, as ChunkBuffer#push
// does — and refuse anything else with a TypeError naming the strategy and what was given.
import { runInNewContext } from 'node:vm';
import { encodeFrame } from '@framewire/chunk-buffer';
import { describe, expect, it } from 'vitest';
import { HEADER_STRATEGY_NAMES, headerStrategy } from '../src/index.js';
import { bytes, toHex } from './helpers.js';

describe('encoders and their payloads', () => {
  const strategies = HEADER_STRATEGY_NAMES.map((name) => headerStrategy(name === 'ascii:W' ? 'ascii:10' : name)!);

  it('take a Uint8Array from another realm, as ChunkBuffer#push does', () => {
    // It used to be refused with "payload must be a Uint8Array (got a Uint8Array)".
    const foreign = runInNewContext('new Uint8Array([0x68, 0x69])') as Uint8Array;
    expect(foreign instanceof Uint8Array).toBe(false);
    for (const strategy of strategies) {
      const expected = toHex(encodeFrame(strategy.createEncoder(), bytes('hi')));
      expect(toHex(encodeFrame(strategy.createEncoder(), foreign)), strategy.name).toBe(expected);
      expect(toHex(encodeFrame(strategy.createEncoder(), Buffer.from('hi'))), strategy.name).toBe(expected);
    }
  });

  it('refuse anything else with a TypeError naming the strategy and what was given', () => {
    const given: [unknown, string][] = [
      ['hi', '"hi"'],
      [[0x68, 0x69], 'an array'],
      [Uint16Array.of(0x100, 2), 'a Uint16Array'],
      [new DataView(new ArrayBuffer(2)), 'a DataView'],
      [new ArrayBuffer(2), 'an ArrayBuffer'],
      [Int8Array.of(1), 'an Int8Array'],
      [{}, 'an Object'],
      [Symbol('s'), 'a symbol'],
      [null, 'null'],
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
});
