/**
 * The CLI's two failure kinds and how every error becomes one line on stderr.
 *
 * @module
 */

/** A runtime, network or protocol failure: exit code 1, one line on stderr. */
export class CliError extends Error {
  /** The process exit code this error maps to. */
  readonly exitCode: number = 1;
}

/** A usage mistake (unknown option, framing name, bad value): exit code 2. */
export class UsageError extends CliError {
  override readonly exitCode: number = 2;
}

/** The exit code an error maps to: 2 for usage errors, 1 for everything else. */
export function exitCodeOf(error: unknown): number {
  return error instanceof CliError ? error.exitCode : 1;
}

/**
 * The message of any thrown value as one line, without a stack trace: `Error: x` becomes
 * `x`; line breaks inside the message are kept only for usage errors (which list names).
 */
export function describeError(error: unknown): string {
  if (error instanceof UsageError) return error.message;
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = message.split('\n', 1)[0] ?? '';
  return firstLine === '' ? 'unknown error' : firstLine;
}

/** `value` if it is an Error, else an Error carrying its string form. */
export function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/** What went wrong reading or opening a file, in a few words (`no such file`), else the error's message. */
export function describeFsError(error: unknown): string {
  const code = error instanceof Error && 'code' in error ? String(error.code) : '';
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a directory';
  if (code === 'EACCES') return 'permission denied';
  return toError(error).message;
}
