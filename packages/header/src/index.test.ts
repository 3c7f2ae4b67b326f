import { describe, expect, it } from 'vitest';
import * as header from './index.js';

describe('@framewire/header exports', () => {
  it('exports exactly the documented names', () => {
    expect(Object.keys(header).sort()).toEqual(
      [
        'HEADER_STRATEGY_NAMES',
        'ascii',
        'frameReads',
        'headerStrategy',
        'lengthPrefix',
        'netstring',
        'u16be',
        'u16le',
        'u24be',
        'u32be',
        'u32le',
        'u64be',
        'u64le',
        'u8',
        'varint',
      ].sort(),
    );
  });

  it('exports strategy factories whose defaults carry the documented names', () => {
    const names = [header.u8, header.u16be, header.u16le, header.u24be, header.u32be, header.u32le, header.u64be, header.u64le]
      .map((f) => f().name);
    expect(names).toEqual(['u8', 'u16be', 'u16le', 'u24be', 'u32be', 'u32le', 'u64be', 'u64le']);
    expect([header.varint().name, header.ascii().name, header.netstring().name, header.lengthPrefix().name]).toEqual([
      'varint',
      'ascii:10',
      'netstring',
      'u32be',
    ]);
  });
});
