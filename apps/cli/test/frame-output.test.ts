import { describe, expect, it } from 'vitest';
import { previewFrame } from '../src/frame-output.js';

describe('previewFrame', () => {
  it('quotes UTF-8 text, cut after maxChars', () => {
    expect(previewFrame(new TextEncoder().encode('hello'))).toBe('"hello"');
    expect(previewFrame(new TextEncoder().encode('abcdef'), 3)).toBe('"abc…"');
  });

  it('counts the bytes of a binary frame', () => {
    expect(previewFrame(Uint8Array.of(0xff, 0xfe))).toBe('<2 bytes, binary>');
    expect(previewFrame(Uint8Array.of(0xff))).toBe('<1 byte, binary>');
  });
});
