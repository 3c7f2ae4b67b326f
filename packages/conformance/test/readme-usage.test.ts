// The README's usage block, run as it is on the sample strategies (readme.test.ts keeps the two in step).
// test/conformance.test.ts
import fc from 'fast-check';
import { testStrategy } from '../src/index.js';
import { myLengthPrefix, myLines } from './fixtures/samples.js';

// A binary-safe strategy: pass its factory, (options: { maxFrameLength?: number }) => FramingStrategy.
testStrategy(myLengthPrefix, {
  vectors: [{ name: '"hi"', payload: new TextEncoder().encode('hi'), wire: Uint8Array.of(0, 2, 0x68, 0x69) }],
});

// A text strategy: say which payloads it carries, which bytes it may refuse, and that it resynchronises.
testStrategy(myLines, {
  payload: fc.uint8Array({ maxLength: 64, size: 'max' }).filter((p) => !p.includes(0x0a)),
  specialBytes: [0x0a],
  binarySafe: false,
  recovers: true,
});
