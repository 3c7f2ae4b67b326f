import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('opens with the usage block that readme-usage.test.ts runs', () => {
    const block = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    // The test imports the kit from its sources and the strategies from the samples; the README
    // shows a contributor's imports. Everything else is the same text.
    const usage = readFileSync(new URL('./readme-usage.test.ts', import.meta.url), 'utf8')
      .replace("from '../src/index.js'", "from '@framewire/conformance'")
      .replace("from './fixtures/samples.js'", "from '../src/index.js'");
    expect(usage).toContain(block);
  });

  it('documents every option of ConformanceOptions with its default', () => {
    const source = readFileSync(new URL('../src/options.ts', import.meta.url), 'utf8');
    const body = /export interface ConformanceOptions \{([\s\S]*?)\n\}/.exec(source)?.[1] ?? '';
    const options = [...body.matchAll(/^ {2}(\w+)\?:/gm)].map((m) => m[1]!);
    expect(options.length).toBeGreaterThan(10);
    for (const option of options) expect(readme).toMatch(new RegExp(`\\| \`${option}\` \\| [^|]+ \\|`));
    // Every option's TSDoc states its default.
    for (const doc of body.split(/^ {2}\w+\?:.*$/m).slice(0, -1)) expect(doc).toMatch(/Defaults to/);
  });
});
