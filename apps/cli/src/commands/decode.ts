import { Deframer } from '@framewire/chunk-buffer';
import { Command } from 'commander';
import { formatFrame, frameFormatOf } from '../frame-output.js';
import { toError } from '../errors.js';
import { BatchWriter, processIo, stdinChunks } from '../io.js';
import type { CommandIo } from '../io.js';
import { createLogger } from '../output.js';
import { examples } from '../usage.js';
import { framingErrorForCli } from '../framing.js';
import {
  allowUnterminatedOption,
  framingFromOptions,
  framingOption,
  framingsHelp,
  maxFrameOption,
  outputFormatOptions,
} from './shared.js';

/** Options of `framewire decode`. */
export interface DecodeOptions {
  framing: string;
  maxFrame?: number;
  allowUnterminated?: boolean;
  json?: boolean;
  hex?: boolean;
}

/**
 * `framewire decode`: a framed byte stream on stdin → frames on stdout, one per line (text,
 * `--json` or `--hex`), streaming with backpressure. A bad or truncated stream ends with
 * exit 1 after every complete frame before the error was written.
 */
export async function runDecode(options: DecodeOptions, io: CommandIo = processIo()): Promise<void> {
  const strategy = framingFromOptions(options, createLogger(io.stderr));
  const format = frameFormatOf(options);
  const deframer = new Deframer(strategy);
  const out = new BatchWriter(io.stdout);
  let index = 0;
  const onFrame = (frame: Uint8Array): void => {
    out.add(formatFrame(format, index++, frame));
  };
  let failure: Error | undefined;
  try {
    for await (const chunk of stdinChunks(io, 'framewire decode < capture.bin')) {
      try {
        deframer.push(chunk, onFrame);
      } catch (error) {
        failure = toError(error);
      }
      await out.flush();
      if (failure !== undefined) break;
    }
    if (failure === undefined) deframer.end(onFrame);
  } catch (error) {
    failure ??= toError(error);
  }
  await out.flush();
  if (failure !== undefined) throw framingErrorForCli(failure, strategy);
}

/** The `decode` command. */
export function decodeCommand(io?: CommandIo): Command {
  const command = new Command('decode')
    .summary('framed bytes on stdin → one frame per line')
    .description('Unframe stdin: a framed byte stream in, one frame per line out (text, --json or --hex), streaming.')
    .addOption(framingOption())
    .addOption(maxFrameOption())
    .addOption(allowUnterminatedOption());
  for (const option of outputFormatOptions()) command.addOption(option);
  return command
    .addHelpText(
      'after',
      framingsHelp() +
        examples(
          "printf 'hello\\nworld\\n' | framewire encode -f netstring | framewire decode -f netstring --json",
          'framewire decode --framing cobs --hex < capture.bin',
          'framewire decode --framing line --allow-unterminated < notes.txt',
        ),
    )
    .action(async (options: DecodeOptions) => {
      await runDecode(options, io);
    });
}
