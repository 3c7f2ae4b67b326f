import { Command } from 'commander';
import { toError } from '../errors.js';
import { encodeNamed } from '../frame-output.js';
import { BatchWriter, processIo, stdinChunks } from '../io.js';
import type { CommandIo } from '../io.js';
import { LineSplitter } from '../lines.js';
import { createLogger } from '../output.js';
import { examples } from '../usage.js';
import { framingFromOptions, framingOption, framingsHelp, maxFrameOption } from './shared.js';

/** Options of `framewire encode`. */
export interface EncodeOptions {
  framing: string;
  maxFrame?: number;
}

/**
 * `framewire encode`: stdin lines → framed bytes on stdout, streaming. Each line (without its
 * `\n` or `\r\n`) becomes one frame; frames are written as their lines complete, one write per
 * input chunk, waiting for stdout to drain. A line the framing cannot carry ends the run with
 * exit 1 after every frame before it was written.
 */
export async function runEncode(options: EncodeOptions, io: CommandIo = processIo()): Promise<void> {
  const strategy = framingFromOptions(options, createLogger(io.stderr));
  const encoder = strategy.createEncoder();
  const splitter = new LineSplitter(strategy.maxFrameLength);
  const out = new BatchWriter(io.stdout);
  const onLine = (line: Uint8Array): void => {
    out.add(encodeNamed(encoder, line, `input line ${splitter.lineNumber}`));
  };
  let failure: Error | undefined;
  try {
    for await (const chunk of stdinChunks(io, 'framewire encode < messages.txt')) {
      try {
        splitter.push(chunk, onLine);
      } catch (error) {
        failure = toError(error);
      }
      await out.flush();
      if (failure !== undefined) break;
    }
    if (failure === undefined) splitter.end(onLine);
  } catch (error) {
    failure ??= toError(error);
  }
  await out.flush();
  if (failure !== undefined) throw failure;
}

/** The `encode` command. */
export function encodeCommand(io?: CommandIo): Command {
  return new Command('encode')
    .summary('stdin lines → framed bytes on stdout')
    .description('Frame stdin lines: each line (without its \\n or \\r\\n) becomes one frame on stdout (streaming).')
    .addOption(framingOption())
    .addOption(maxFrameOption())
    .addHelpText(
      'after',
      framingsHelp() +
        examples(
          "printf 'hello\\nworld\\n' | framewire encode --framing u32be | xxd",
          "printf 'hello\\n' | framewire encode --framing ascii:10 | framewire decode --framing ascii:10",
        ),
    )
    .action(async (options: EncodeOptions) => {
      await runEncode(options, io);
    });
}
