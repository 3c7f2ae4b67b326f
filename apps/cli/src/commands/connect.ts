import { readFile, stat } from 'node:fs/promises';
import { Deframer, bytesText } from '@framewire/chunk-buffer';
import type { FrameEncoder, FramingStrategy } from '@framewire/chunk-buffer';
import { TransportError, connect, formatEndpoint } from '@framewire/transport';
import type { Connection } from '@framewire/transport';
import { SingleBar } from 'cli-progress';
import { Command, Option } from 'commander';
import { CliError, UsageError, describeFsError, toError } from '../errors.js';
import { encodeNamed, formatFrame, frameFormatOf } from '../frame-output.js';
import { framingErrorForCli } from '../framing.js';
import { BatchWriter, processIo } from '../io.js';
import type { CommandIo } from '../io.js';
import { LineSplitter } from '../lines.js';
import { createLogger, formatBytes, plural, restoreOnSignal } from '../output.js';
import type { Logger } from '../output.js';
import { collect, parseArenaBytes, parseCount, parseRecvSize, parseRemotePort, parseSeconds } from '../options.js';
import { readCaFile } from '../tls-files.js';
import { examples } from '../usage.js';
import {
  allowUnterminatedOption,
  framingFromOptions,
  framingOption,
  framingsHelp,
  maxFrameOption,
  outputFormatOptions,
} from './shared.js';

/** Options of `framewire connect`. */
export interface ConnectOptions {
  port?: number;
  unix?: string;
  host: string;
  framing: string;
  maxFrame?: number;
  allowUnterminated?: boolean;
  expect?: number;
  timeout?: number;
  json?: boolean;
  hex?: boolean;
  messageFile?: string[];
  recvSize?: number;
  recvArena?: number;
  tls?: boolean;
  ca?: string;
  insecure?: boolean;
}

const textEncoder = new TextEncoder();
// Large frames are written in slices of this size so the progress bar can move.
const PROGRESS_SLICE = 64 * 1024;

/** Sends one frame; with a progress bar (on a TTY) for large payloads. */
async function sendFrame(
  connection: Connection,
  encoder: FrameEncoder,
  path: string,
  payload: Uint8Array,
  progress: { label: string; stream: NodeJS.WritableStream } | undefined,
): Promise<void> {
  const parts = encodeNamed(encoder, payload, `message file ${path}`);
  if (progress === undefined) {
    await connection.write(...parts);
    return;
  }
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const bar = new SingleBar({
    stream: progress.stream,
    format: `sending ${progress.label} [{bar}] {percentage}% | {sent}/{size}`,
    hideCursor: true,
    clearOnComplete: false,
  });
  const release = restoreOnSignal(() => {
    bar.stop();
  });
  bar.start(total, 0, { sent: formatBytes(0), size: formatBytes(total) });
  let sent = 0;
  try {
    for (const part of parts) {
      for (let at = 0; at < part.length; at += PROGRESS_SLICE) {
        const slice = part.subarray(at, Math.min(part.length, at + PROGRESS_SLICE));
        await connection.write(slice);
        sent += slice.length;
        bar.update(sent, { sent: formatBytes(sent) });
      }
    }
  } finally {
    release();
    bar.stop();
  }
}

/**
 * Checks a message file before connecting: readable, no larger than the frame limit, and (a
 * regular file: a pipe would be used up) bytes the framing can carry — a `line` framing cannot
 * send a file with a `\n` in it, nor `slip` an empty one.
 */
async function checkMessageFile(path: string, strategy: FramingStrategy, encoder: FrameEncoder): Promise<void> {
  let size: number;
  let regular: boolean;
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    size = info.size;
    regular = info.isFile();
  } catch (error) {
    throw new CliError(`cannot read message file ${path}: ${describeFsError(error)}`);
  }
  if (size > strategy.maxFrameLength) {
    throw new CliError(
      `message file ${path} is ${bytesText(size)}, over the maximum frame length of ${bytesText(strategy.maxFrameLength)} of ${strategy.name} (raise it with --max-frame)`,
    );
  }
  if (regular) encodeNamed(encoder, await readMessageFile(path), `message file ${path}`);
}

async function readMessageFile(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new CliError(`cannot read message file ${path}: ${describeFsError(error)}`);
  }
}

interface ReadResult {
  frames: number;
  /** True when the peer ended the stream (rather than us stopping at `--expect`). */
  peerClosed: boolean;
}

/**
 * Reads frames until `expect` frames arrived or the peer closes, printing each to stdout
 * (waiting for stdout to drain before reading more).
 */
async function readFrames(
  chunks: AsyncIterator<Uint8Array>,
  strategy: FramingStrategy,
  options: ConnectOptions,
  io: CommandIo,
  counter: { frames: number },
): Promise<ReadResult> {
  const format = frameFormatOf(options);
  const out = new BatchWriter(io.stdout);
  const deframer = new Deframer(strategy);
  const expect = options.expect;
  let frames = 0;
  const onFrame = (frame: Uint8Array): void => {
    if (expect !== undefined && frames >= expect) return;
    out.add(formatFrame(format, frames, frame));
    frames += 1;
    counter.frames = frames;
  };
  if (expect === 0) return { frames, peerClosed: false };
  let failure: Error | undefined;
  try {
    for (let next = await chunks.next(); next.done !== true; next = await chunks.next()) {
      const chunk = next.value;
      try {
        deframer.push(chunk, onFrame);
      } catch (error) {
        failure = toError(error);
      }
      await out.flush();
      if (failure !== undefined) throw failure;
      if (expect !== undefined && frames >= expect) return { frames, peerClosed: false };
    }
    deframer.end(onFrame);
  } catch (error) {
    failure ??= toError(error);
  }
  await out.flush();
  if (failure !== undefined) throw framingErrorForCli(failure, strategy);
  return { frames, peerClosed: true };
}

/** Sends the messages, then the message files, then (if there were none) stdin lines. */
async function writeFrames(
  connection: Connection,
  strategy: FramingStrategy,
  encoder: FrameEncoder,
  encodedMessages: readonly Uint8Array[][],
  options: ConnectOptions,
  io: CommandIo,
): Promise<void> {
  for (const parts of encodedMessages) await connection.write(...parts);
  const files = options.messageFile ?? [];
  for (const path of files) {
    const payload = await readMessageFile(path);
    const showProgress = io.stderr.isTTY === true && payload.length >= 4 * PROGRESS_SLICE;
    await sendFrame(connection, encoder, path, payload, showProgress ? { label: path, stream: io.stderr } : undefined);
  }
  if (encodedMessages.length === 0 && files.length === 0 && io.stdin.isTTY !== true) {
    const splitter = new LineSplitter(strategy.maxFrameLength);
    for await (const chunk of io.stdin as AsyncIterable<Uint8Array>) {
      const parts: Uint8Array[] = [];
      splitter.push(chunk, (line) => parts.push(...encodeNamed(encoder, line, `input line ${splitter.lineNumber}`)));
      if (parts.length > 0) await connection.write(...parts);
    }
    const parts: Uint8Array[] = [];
    splitter.end((line) => parts.push(...encodeNamed(encoder, line, `input line ${splitter.lineNumber}`)));
    if (parts.length > 0) await connection.write(...parts);
  }
}

// After --expect N frames: how long to wait for the server to close after our FIN.
const CLOSE_WAIT_MS = 1000;

/**
 * Ends our side and reads (discarding) until the server closes too, for at most
 * {@link CLOSE_WAIT_MS}: closing with unread bytes would reset the connection, which the
 * server would log as an error.
 */
async function closeGracefully(connection: Connection, chunks: AsyncIterator<Uint8Array>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => {
      resolve('timeout');
    }, CLOSE_WAIT_MS);
  });
  try {
    await connection.end();
    for (;;) {
      const next = await Promise.race([chunks.next(), deadline]);
      if (next === 'timeout' || next.done === true) break;
    }
  } catch {
    // The server may reset instead of closing: we already have what we came for.
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `framewire connect`: sends frames and prints the frames received. Exits (resolves) after
 * `--expect N` frames or when the server closes; throws a {@link CliError} on a network or
 * framing error, when the server closes before the expected frames, or on `--timeout`.
 */
export async function runConnect(messages: readonly string[], options: ConnectOptions, io: CommandIo = processIo()): Promise<void> {
  if ((options.port === undefined) === (options.unix === undefined)) {
    throw new UsageError(
      options.port === undefined
        ? "connect needs --port <port> (or --unix <path>). Run 'framewire connect --help' for usage."
        : 'give --port or --unix, not both',
    );
  }
  const log: Logger = createLogger(io.stderr);
  const strategy = framingFromOptions(options, log);
  const encoder = strategy.createEncoder();
  // Everything that can be checked is checked before connecting.
  const encodedMessages = messages.map((message, index) => encodeNamed(encoder, textEncoder.encode(message), `message ${index + 1}`));
  for (const path of options.messageFile ?? []) await checkMessageFile(path, strategy, encoder);
  if (options.insecure === true) log.warn('TLS certificate verification is off (--insecure)');
  const ca = options.ca === undefined ? undefined : await readCaFile(options.ca);
  const useTls = options.tls === true || options.insecure === true || ca !== undefined;
  if (options.recvArena !== undefined) {
    if (useTls) throw new UsageError('--recv-arena cannot be used with TLS: Node decrypts into memory of its own');
    if (options.recvSize !== undefined && options.recvSize > options.recvArena) {
      throw new UsageError(`--recv-size (${options.recvSize}) must not exceed --recv-arena (${options.recvArena})`);
    }
  }
  const expect = options.expect;
  const received = { frames: 0 };
  let timer: NodeJS.Timeout | undefined;
  const timeoutMs = options.timeout === undefined ? 0 : options.timeout * 1000;
  const target =
    options.unix ?? formatEndpoint({ family: options.host.includes(':') ? 'IPv6' : 'IPv4', host: options.host, port: options.port ?? 0 });
  let connection: Connection | undefined;
  const timedOut = new Promise<never>((_resolve, reject) => {
    if (timeoutMs > 0) {
      timer = setTimeout(() => {
        const what =
          connection === undefined
            ? `connecting to ${target}` // (TLS: the handshake had not finished)
            : expect === undefined
              ? 'waiting for the server to close'
              : `waiting for ${plural(expect, 'frame')} (got ${received.frames})`;
        reject(new CliError(`timed out after ${options.timeout ?? 0} s ${what}`));
      }, timeoutMs);
    }
  });
  try {
    const connecting = connect({
      ...(options.unix === undefined ? { host: options.host, port: options.port } : { path: options.unix }),
      ...(options.recvSize !== undefined ? { recvSize: options.recvSize } : {}),
      ...(options.recvArena !== undefined ? { recvArena: options.recvArena } : {}),
      ...(timeoutMs > 0 ? { connectTimeout: timeoutMs } : {}),
      ...(useTls ? { tls: { rejectUnauthorized: options.insecure !== true, ...(ca ? { ca } : {}) } } : {}),
    });
    connection = await Promise.race([connecting, timedOut]);
    const conn = connection;
    const chunks = conn[Symbol.asyncIterator]();
    const reading = readFrames(chunks, strategy, options, io, received);
    const writing = writeFrames(conn, strategy, encoder, encodedMessages, options, io).then(async () => {
      // Without --expect, tell the server we are done; with it, keep the write side open until
      // the frames arrived (some servers stop replying once the client half-closes).
      if (expect === undefined) await conn.end();
    });
    // A failed socket write usually means the server went away: report what reading saw,
    // unless reading got everything it wanted. Any other failure (a line the framing cannot
    // carry, an unreadable stdin) ends the run at once.
    const wroteOrGone = (writeError: unknown): void => {
      if (!(writeError instanceof TransportError)) throw writeError;
    };
    const outcome = Promise.race([
      // The server may stop sending before it stops reading (a half-close): without --expect
      // the messages still go out before the run ends. (With it, reading ends once the frames
      // came, or fails short of them.)
      reading.then(async (result) => {
        if (expect === undefined) await writing.catch(wroteOrGone);
        return result;
      }),
      writing.then(
        () => reading,
        async (writeError: unknown) => {
          wroteOrGone(writeError);
          const result = await reading;
          if (expect !== undefined && result.frames < expect) throw writeError;
          return result;
        },
      ),
    ]);
    const result = await Promise.race([outcome, timedOut]);
    if (expect !== undefined && result.frames < expect) {
      throw new CliError(`server closed the connection after ${result.frames} of ${plural(expect, 'expected frame')}`);
    }
    writing.catch(() => undefined);
    if (!result.peerClosed) await closeGracefully(conn, chunks);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    connection?.close();
  }
}

/** The `connect` command. */
export function connectCommand(io?: CommandIo): Command {
  const command = new Command('connect')
    .summary('a framed TCP client (sends, prints frames)')
    .description(
      'Connect to a framed TCP server, send each MESSAGE (then each --message-file, or stdin lines) as a frame, and print every frame received on stdout.',
    )
    .argument('[message...]', 'messages to send, one frame each (UTF-8)')
    .option('-p, --port <port>', 'TCP port of the server, required', parseRemotePort)
    .option('--unix <path>', 'connect to a Unix domain socket instead of a TCP port')
    .addOption(new Option('--host <host>', 'server address').default('127.0.0.1'))
    .addOption(framingOption())
    .addOption(maxFrameOption())
    .addOption(allowUnterminatedOption())
    .addOption(new Option('-n, --expect <n>', 'exit 0 once N frames were received (default: when the server closes)').argParser(parseCount))
    .addOption(new Option('-t, --timeout <seconds>', 'exit 1 if not done after this long; 0 means no limit (default: no limit, but connecting gives up after 10 s)').argParser(parseSeconds))
    .addOption(
      new Option('--message-file <path>', 'send the file as one frame (repeatable; progress bar on a TTY)').argParser(collect),
    );
  for (const option of outputFormatOptions()) command.addOption(option);
  return command
    .addOption(new Option('--recv-size <bytes>', 'read at most this many bytes at a time (like recv(N))').argParser(parseRecvSize))
    .addOption(
      new Option('--recv-arena <bytes>', 'read into blocks of this size, one read after another, so frames that span reads are not copied (no TLS)').argParser(
        parseArenaBytes,
      ),
    )
    .option('--tls', 'connect with TLS (certificates verified)')
    .option('--ca <file>', 'trust this PEM CA certificate (implies --tls)')
    .option('--insecure', 'TLS without certificate verification (implies --tls; says so on stderr)')
    .addHelpText(
      'after',
      framingsHelp() +
        examples(
          'framewire connect --port 1234 --framing ascii:10 --expect 2 "Hello" "How are you?"',
          'framewire connect --port 1234 --framing raw --recv-size 8',
          'framewire connect --port 1234 --message-file big.bin --max-frame 16MiB --expect 1 --json',
          'printf "one\\ntwo\\n" | framewire connect --port 1234 --framing line --expect 2',
        ),
    )
    .action(async (messages: string[], options: ConnectOptions) => {
      await runConnect(messages, options, io);
    });
}
