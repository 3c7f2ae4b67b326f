import { Command } from 'commander';
import { compareCommand } from './compare/command.js';
import { connectCommand } from './commands/connect.js';
import { decodeCommand } from './commands/decode.js';
import { demoCommand } from './commands/demo.js';
import { encodeCommand } from './commands/encode.js';
import { serveCommand } from './commands/serve.js';
import { configureUsageErrors } from './usage.js';
import { VERSION } from './version.js';

/**
 * The `framewire` program: one `addCommand` per command, each built by
 * `src/commands/<name>.ts`. Usage errors are wired for every command added here.
 */
export function createProgram(): Command {
  const program = new Command('framewire')
    .description('See, use and compare message framing over TCP.')
    .version(VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .showSuggestionAfterError(true);
  program.addCommand(serveCommand());
  program.addCommand(connectCommand());
  program.addCommand(demoCommand());
  program.addCommand(encodeCommand());
  program.addCommand(decodeCommand());
  program.addCommand(compareCommand());
  return configureUsageErrors(program);
}
