import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseBytes, parseCount, parsePort, parsePositiveBytes, parseSeconds } from '../src/options.js';

describe('option parsers', () => {
  it('parses ports and rejects the rest', () => {
    expect(parsePort('0')).toBe(0);
    expect(parsePort('65535')).toBe(65535);
    for (const bad of ['65536', '-1', 'abc', '', '1.5', '123456']) {
      expect(() => parsePort(bad)).toThrow(InvalidArgumentError);
    }
  });

  it('parses byte counts with binary units', () => {
    expect(parseBytes('65536')).toBe(65536);
    expect(parseBytes('64k')).toBe(65536);
    expect(parseBytes('16MiB')).toBe(16 * 1024 * 1024);
    expect(parseBytes('1g')).toBe(1024 ** 3);
    expect(() => parseBytes('12q')).toThrow(/expected a byte count/);
    expect(() => parsePositiveBytes('0')).toThrow(/at least 1 byte/);
  });

  it('parses seconds and counts', () => {
    expect(parseSeconds('0.5')).toBe(0.5);
    expect(parseSeconds('30')).toBe(30);
    expect(() => parseSeconds('-1')).toThrow(InvalidArgumentError);
    expect(() => parseSeconds('soon')).toThrow(InvalidArgumentError);
    expect(parseSeconds('2147483')).toBe(2_147_483);
    expect(parseCount('0')).toBe(0);
    expect(() => parseCount('2.5')).toThrow(InvalidArgumentError);
  });

  it('says why a number of seconds past what a timer can wait is refused', () => {
    // The old message asked for "a number of seconds such as 5 or 0.5" when given one.
    expect(() => parseSeconds('3000000')).toThrow("expected at most 2147483 seconds (about 24.8 days), the longest a timer waits (got '3000000')");
    expect(() => parseSeconds('2147483.5')).toThrow(/at most 2147483 seconds/);
    expect(() => parseSeconds('5s')).toThrow("expected a number of seconds such as 5 or 0.5 (got '5s')");
  });
});
