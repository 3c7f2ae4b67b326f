import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkRoundTrip, testStrategy } from '../src/index.js';
import type { FramingStrategy } from '@framewire/chunk-buffer';
import { newline, u16Prefix } from './fixtures/samples.js';

describe('option validation', () => {
  it('names the option, the value and what was expected', () => {
    expect(() => {
      checkRoundTrip(u16Prefix, { numRuns: 0 });
    }).toThrow(new RangeError('numRuns must be a positive integer (got 0)'));
    expect(() => {
      checkRoundTrip(u16Prefix, { specialBytes: [10, 256] });
    }).toThrow(new RangeError('specialBytes must hold bytes from 0 to 255 (got 256)'));
    expect(() => {
      checkRoundTrip(newline, { binarySafe: false });
    }).toThrow(new TypeError('specialBytes must list the bytes the encoder may refuse when binarySafe is false (got [])'));
    expect(() => {
      checkRoundTrip(u16Prefix, { workFactor: -1 });
    }).toThrow(new RangeError('workFactor must be a positive number (got -1)'));
    expect(() => {
      checkRoundTrip(u16Prefix, { neutralPrefix: -1 });
    }).toThrow(new RangeError('neutralPrefix must be a non-negative integer (got -1)'));
    expect(() => {
      checkRoundTrip(u16Prefix, { callAllowance: 1.5 });
    }).toThrow(new RangeError('callAllowance must be a non-negative integer (got 1.5)'));
    expect(() => {
      testStrategy(u16Prefix, { timeout: 0 });
    }).toThrow(new RangeError('timeout must be a positive integer (got 0)'));
    expect(() => {
      checkRoundTrip(u16Prefix, { vectors: [{ payload: Uint8Array.of(1), wire: Uint8Array.of(0, 1, 1), direction: 'sideways' as 'both' }] });
    }).toThrow(new TypeError("vectors[0].direction must be 'both', 'decode' or 'encode' (got sideways)"));
  });

  it('rejects a strategy that does not have the FramingStrategy shape', () => {
    const noWire = { ...u16Prefix(), maxWireLength: 10 } as FramingStrategy;
    expect(() => {
      checkRoundTrip(noWire);
    }).toThrow(new RangeError('strategy.maxWireLength must be a safe integer of at least maxFrameLength = 65535 (got 10)'));
    expect(() => {
      checkRoundTrip({ ...u16Prefix(), name: '' });
    }).toThrow(new TypeError('strategy.name must be a non-empty string'));
  });

  it('filters generated payloads against the limit and allowsEmpty', () => {
    let smallest = Infinity;
    let largest = 0;
    const seen = (options: { maxFrameLength?: number }): FramingStrategy => {
      const strategy = u16Prefix({ maxFrameLength: options.maxFrameLength ?? 40 });
      return {
        ...strategy,
        createEncoder: () => ({
          encode: (payload) => {
            smallest = Math.min(smallest, payload.length);
            largest = Math.max(largest, payload.length);
            return strategy.createEncoder().encode(payload);
          },
        }),
      };
    };
    checkRoundTrip(seen, { allowsEmpty: false, payload: fc.uint8Array({ maxLength: 100, size: 'max' }) });
    expect(smallest).toBe(1);
    expect(largest).toBe(40);
  });
});
