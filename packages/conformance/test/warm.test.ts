import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConformanceError, codeThrownAway, methodNames, runFreshStreams } from '../src/index.js';
import { myLengthPrefix } from './fixtures/samples.js';

const child = fileURLToPath(new URL('./fixtures/warm-child.mjs', import.meta.url));

describe('codeThrownAway and runFreshStreams', () => {
  it("report the child's methods, and the code V8 threw away among them", async () => {
    const report = await codeThrownAway(child);
    expect(report.methods).toEqual(expect.arrayContaining(['decode', 'encode', 'push', 'take', 'controlStep']));
    expect(report.thrownAway).toContain('controlStep');
  }, 60_000);

  it("fail with the script's error: a stream that does not decode, a missing script", async () => {
    await expect(codeThrownAway(child, { args: ['fail'] })).rejects.toThrow(/tiny-u8: decoded 0 frames, expected 500/);
    await expect(codeThrownAway(`${child}.missing`)).rejects.toThrow(ConformanceError);
  }, 60_000);

  it('fail with a ConformanceError when the report is not the last line of output', async () => {
    const late = codeThrownAway(child, { args: ['late'] });
    await expect(late).rejects.toThrow(ConformanceError);
    await expect(late).rejects.toThrow(/warm-child\.mjs: its last line of output must be the report of reportMethods\(\) \(got "done"\)/);
  }, 60_000);

  it('runFreshStreams needs --expose-gc', () => {
    expect(() => runFreshStreams([myLengthPrefix()])).toThrow(/--expose-gc/);
  });

  it('methodNames lists the prototype chain, subclass first, without constructors', () => {
    class A {
      a(): number {
        return 1;
      }
    }
    class B extends A {
      b(): number {
        return 2;
      }
    }
    expect(methodNames(new B())).toEqual(['b', 'a']);
  });
});
