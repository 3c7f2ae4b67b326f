// V8 throws away the optimized code of a class once no instance of it is left and a garbage
// collection runs, and the next stream runs cold (1.8× slower on an 8 MiB line in the bench):
// the package keeps one idle instance of each class (keepWarm). Checked on the built code, in a
// child process with V8's deoptimization trace on.
import { codeThrownAway } from '@framewire/conformance';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

it('keeps the optimized code of its classes when every instance is gone and a collection ran', async () => {
  const report = await codeThrownAway(fileURLToPath(new URL('./fixtures/fresh-decoders.mjs', import.meta.url)));
  expect(report.methods).toContain('readLengthField');
  expect(report.thrownAway).toEqual([]);
}, 60_000);
