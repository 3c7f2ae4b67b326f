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
    await program.parseAsync([...argv]);
    return 0;
  } catch (error) {
    if (error instanceof HelpShown) return error.exitCode;
    process.stderr.write(`framewire: ${describeError(error)}\n`);
    return exitCodeOf(error);
  }
}
