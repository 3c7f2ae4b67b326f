/**
 * Commander wiring shared by every command: usage errors become `framewire: …` lines with
 * exit code 2 and list what is valid; help and `--version` exit 0.
 *
 * @module
 */
import type { Command, CommanderError } from 'commander';
import { UsageError } from './errors.js';

/** Help and `--version` (exit 0), as opposed to a real usage error. */
export class HelpShown extends Error {
  readonly exitCode: number;
  constructor(exitCode: number) {
    super('help shown');
    this.exitCode = exitCode;
  }
}

function commandPath(command: Command): string {
  const names: string[] = [];
  for (let at: Command | null = command; at; at = at.parent) names.unshift(at.name());
  return names.join(' ');
}

function validOptions(command: Command): string {
  const help = command.createHelp();
  return help
    .visibleOptions(command)
    .map((option) => option.flags)
    .join(', ');
}

function toUsageError(command: Command, error: CommanderError): Error {
  if (error.exitCode === 0) return new HelpShown(0);
  // `framewire` with no command prints the help on stderr: a usage error, exit 2.
  if (error.code === 'commander.help' || error.code === 'commander.helpDisplayed') return new HelpShown(2);
  const message = error.message.replace(/^error: /, '');
  const lines = [message];
  const path = commandPath(command);
  if (error.code === 'commander.unknownOption') {
    lines.push(`valid options for '${path}': ${validOptions(command)}`);
  } else if (error.code === 'commander.unknownCommand') {
    lines.push(`valid commands: ${command.commands.map((sub) => sub.name()).join(', ')}`);
  }
  lines.push(`Run '${path} --help' for usage.`);
  return new UsageError(lines.join('\n'), { cause: error });
}

/**
 * Makes `command` and all its subcommands report usage errors by throwing a
 * {@link UsageError} (printed once by `main`, exit 2) instead of printing and exiting.
 * Call it after every `addCommand`.
 */
export function configureUsageErrors(command: Command): Command {
  command.configureOutput({
    outputError: () => {
      // main() prints the error, once, in framewire's format.
    },
  });
  command.exitOverride((error) => {
    throw toUsageError(command, error);
  });
  for (const sub of command.commands) configureUsageErrors(sub);
  return command;
}

/** The example block appended to a command's help. */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}\n`;
}
