/**
 * The README stays true to the code: every option it names for a command exists in that
 * command's help, and the outputs shown in its usage block are what the CLI prints.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli.js';

const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');

/** The README's `## \`framewire …\`` sections: the commands they cover and their text. */
function commandSections(): { commands: string[]; text: string }[] {
  return readme
    .split(/^## /m)
    .filter((section) => section.startsWith('`framewire '))
    .map((section) => ({
      commands: [...section.split('\n', 1)[0]!.matchAll(/`framewire (\w+)`/g)].map((match) => match[1]!),
      text: section,
    }));
}

describe('README', () => {
  it('documents every command', () => {
    expect(commandSections().flatMap((section) => section.commands)).toEqual(['serve', 'connect', 'demo', 'encode', 'decode', 'compare']);
  });

  it.each(commandSections().map((section) => [section.commands.join(' / '), section] as const))(
    'names only options that %s has',
    async (_name, section) => {
      const helps = await Promise.all(section.commands.map((command) => runCli([command, '--help'])));
      const help = helps.map((result) => result.out).join('\n');
      const named = new Set([...section.text.matchAll(/(?<![\w-])--[a-z][a-z-]*/g)].map((match) => match[0]));
      for (const option of named) expect(help, `${option} in ${section.commands.join('/')}`).toContain(option);
    },
  );

  it('shows what encode and decode really print', async () => {
    expect(readme).toContain("printf 'hello\\nworld\\n' | framewire encode --framing netstring          # 5:hello,5:world,");
    const encoded = await runCli(['encode', '--framing', 'netstring'], { input: 'hello\nworld\n' });
    expect(encoded.out).toBe('5:hello,5:world,');
    expect(readme).toContain('# {"index":0,"length":5,"text":"hello"}\n# {"index":1,"length":5,"text":"world"}');
    const decoded = await runCli(['decode', '--framing', 'netstring', '--json'], { input: '5:hello,5:world,' });
    expect(decoded.out).toBe('{"index":0,"length":5,"text":"hello"}\n{"index":1,"length":5,"text":"world"}\n');
  });
});
