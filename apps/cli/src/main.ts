import type { Command } from 'commander';
import { createProgram } from './program.js';
import { describeError, exitCodeOf } from './errors.js';
import { HelpShown } from './usage.js';

/**
 * Runs the CLI with `argv` (as `process.argv`: node, script, then the arguments) and resolves
 * to the exit code: 0 on success, 1 on a runtime, network or protocol error, 2 on a usage
 * error. Errors are printed to stderr as `framewire: …`, without a stack trace.
 */
export async function main(argv: readonly string[] = process.argv): Promise<number> {
  const program = createProgram();
  try {
    await program.parseAsync(helpOfUnknownCommand(program, argv) ?? [...argv]);
    return 0;
  } catch (error) {
    if (error instanceof HelpShown) return error.exitCode;
    process.stderr.write(`framewire: ${describeError(error)}\n`);
    return exitCodeOf(error);
  }
}

/**
 * `framewire help NAME` for a NAME that is no command: commander would print the general help
 * without saying why. Parsed as `framewire NAME` instead, it is the usual unknown-command error
 * (`unknown command 'nope'`, a suggestion, the valid commands), exit 2.
 */
function helpOfUnknownCommand(program: Command, argv: readonly string[]): string[] | undefined {
  const [node = '', script = '', first, name] = argv;
  if (first !== 'help' || name === undefined || name.startsWith('-')) return undefined;
  const known = program.commands.some((command) => command.name() === name || command.aliases().includes(name));
  return known ? undefined : [node, script, name];
}
