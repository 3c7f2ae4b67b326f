import { stat } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { dirname } from 'node:path';
import { Deframer, bytesText } from '@framewire/chunk-buffer';
import type { FramingStrategy } from '@framewire/chunk-buffer';
import { AddressInUseError, SocketError, formatEndpoint, listen } from '@framewire/transport';
import type { Connection, Server } from '@framewire/transport';
import { Command, Option } from 'commander';
import { CliError, UsageError, toError } from '../errors.js';
import { encodeNamed, previewFrame } from '../frame-output.js';
import { framingErrorForCli } from '../framing.js';
import { processIo } from '../io.js';
import type { CommandIo } from '../io.js';
import { createLogger, formatBytes, plural } from '../output.js';
import type { Logger } from '../output.js';
import { parsePort, parsePositiveCount, parseRecvSize, parseSeconds } from '../options.js';
import { readServerTlsFiles } from '../tls-files.js';
import { examples } from '../usage.js';
import { allowUnterminatedOption, framingFromOptions, framingOption, framingsHelp, maxFrameOption } from './shared.js';

/** Options of `framewire serve`. */
export interface ServeOptions {
  port?: number;
  unix?: string;
  host: string;
  framing: string;
  maxFrame?: number;
  allowUnterminated?: boolean;
  echo?: boolean;
  welcome?: string;
  once?: boolean;
  maxConnections: number;
  idleTimeout: number;
  frameTimeout: number;
  grace: number;
  recvSize?: number;
  quiet?: boolean;
  tlsCert?: string;
  tlsKey?: string;
}

/** Default of `--max-connections`. */
export const DEFAULT_MAX_CONNECTIONS = 1024;

const textEncoder = new TextEncoder();

interface ConnectionOutcome {
  frames: number;
  error: unknown;
}

// After a bad frame: how long the echoes already written get to leave before the close.
const END_WAIT_MS = 1000;

/** Ends our side (flushing what was written), waiting at most `ms`; never throws. */
async function endWithin(connection: Connection, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    connection.end().catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}

/**
 * Serves one connection: optional welcome frame, then decode → log (→ echo) until the peer
 * ends; a bad frame, an idle peer or a frame that takes longer than `frameTimeoutMs` closes
 * this connection only.
 */
async function serveConnection(
  connection: Connection,
  strategy: FramingStrategy,
  options: ServeOptions,
  welcome: Uint8Array[] | undefined,
  log: Logger,
): Promise<ConnectionOutcome> {
  const peer = connection.remoteAddress;
  const { c } = log;
  log.info(`Connection from ${c.cyan(peer)} has been established.`);
  const encoder = strategy.createEncoder();
  const deframer = new Deframer(strategy);
  let frames = 0;
  // Logs frame #`frames` and queues its echo. A frame the framing decodes but cannot encode
  // back (line: "abc\r", read from "abc\r\r\n") is not echoed, with a warning: the peer sent
  // nothing wrong, so its connection stays open.
  const received = (frame: Uint8Array, replies: Uint8Array[]): void => {
    frames += 1;
    log.info(`${c.dim(peer)} frame #${frames} (${bytesText(frame.length)}): ${previewFrame(frame)}`);
    if (options.echo !== true) return;
    try {
      replies.push(...encoder.encode(frame));
    } catch (error) {
      log.warn(`${peer} frame #${frames} not echoed: ${toError(error).message}`);
    }
  };
  // A frame still incomplete after `frameTimeoutMs` (slow-loris) ends the connection.
  let frameTimer: NodeJS.Timeout | undefined;
  const frameTimeoutMs = options.frameTimeout * 1000;
  const stopFrameTimer = (): void => {
    if (frameTimer !== undefined) clearTimeout(frameTimer);
    frameTimer = undefined;
  };
  try {
    if (welcome) await connection.write(...welcome);
    for await (const chunk of connection) {
      const before = frames;
      const replies: Uint8Array[] = [];
      try {
        deframer.push(chunk, (frame) => {
          received(frame, replies);
        });
      } catch (error) {
        // Frames completed before the bad one are still echoed, then the connection closes.
        if (replies.length > 0) await connection.write(...replies).catch(() => undefined);
        throw error;
      }
      if (frames !== before || deframer.bufferedBytes === 0) stopFrameTimer();
      if (deframer.bufferedBytes > 0 && frameTimer === undefined && frameTimeoutMs > 0) {
        frameTimer = setTimeout(() => {
          connection.close(
            new CliError(`frame not completed within ${options.frameTimeout} s (${bytesText(deframer.bufferedBytes)} received of it)`),
          );
        }, frameTimeoutMs);
      }
      if (replies.length > 0) await connection.write(...replies);
    }
    stopFrameTimer();
    const last: Uint8Array[] = [];
    try {
      deframer.end((frame) => {
        received(frame, last);
      });
    } finally {
      if (last.length > 0) await connection.write(...last).catch(() => undefined);
    }
    await connection.end();
    log.info(`Connection from ${peer} closed after ${plural(frames, 'frame')}.`);
    return { frames, error: undefined };
  } catch (caught) {
    stopFrameTimer();
    const error = framingErrorForCli(caught, strategy);
    const message = toError(error).message;
    log.error(`Connection from ${peer} closed: ${message} (after ${plural(frames, 'frame')})`);
    // Let what was already written (echoes of the good frames) leave before closing.
    await endWithin(connection, END_WAIT_MS);
    connection.close();
    return { frames, error };
  }
}

/**
 * `--unix PATH` is taken: by a server that answers there, or by a socket file that a server
 * left behind when it did not close (killed, say), which only removing it frees. Says which.
 */
async function explainSocketInUse(path: string, error: AddressInUseError): Promise<CliError> {
  const answered = await new Promise<boolean>((resolve) => {
    const probe = createConnection({ path });
    const done = (answers: boolean): void => {
      probe.destroy();
      resolve(answers);
    };
    // No refusal within a second: something holds it.
    probe.setTimeout(1000, () => {
      done(true);
    });
    probe.once('connect', () => {
      done(true);
    });
    probe.once('error', (probeError: NodeJS.ErrnoException) => {
      done(probeError.code !== 'ECONNREFUSED');
    });
  });
  const why = answered
    ? 'another server is listening there'
    : `no server answers there: a file left behind, such as the socket of a server that did not close; remove it (rm ${path}) and try again`;
  return new CliError(`${error.message} (${why})`, { cause: error });
}

/**
 * Node reports a `--unix` path in a directory that does not exist as `EACCES: permission
 * denied`, which sends the user after permissions: say that the directory is missing instead.
 */
async function explainMissingDirectory(path: string, error: unknown): Promise<CliError | undefined> {
  if (!(error instanceof SocketError) || (error.syscallCode !== 'EACCES' && error.syscallCode !== 'ENOENT')) return undefined;
  const directory = dirname(path);
  const missing = await stat(directory).then(
    () => false,
    (statError: unknown) => (statError as NodeJS.ErrnoException).code === 'ENOENT',
  );
  return missing ? new CliError(`cannot listen on ${path}: no such directory ${directory}`, { cause: error }) : undefined;
}

/**
 * Resolves on the first SIGINT or SIGTERM, then stops listening for both, so a second
 * signal during the grace period ends the process at once (Node's default action).
 */
function waitForSignal(): { promise: Promise<NodeJS.Signals>; dispose(): void } {
  let dispose: () => void = () => undefined;
  const promise = new Promise<NodeJS.Signals>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      dispose();
      resolve(signal);
    };
    dispose = () => {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  return { promise, dispose: () => { dispose(); } };
}

/**
 * `framewire serve`: a framed TCP server on 127.0.0.1 by default. Its first stderr line is
 * always `listening on HOST:PORT` (the bound port, also with `--port 0`). Runs until SIGINT or
 * SIGTERM (graceful close within `--grace` seconds, exit 0), or with `--once` until the first
 * connection ends (exit 1 if that connection failed).
 */
export async function runServe(options: ServeOptions, io: CommandIo = processIo()): Promise<void> {
  if ((options.port === undefined) === (options.unix === undefined)) {
    throw new UsageError(
      options.port === undefined
        ? "serve needs --port <port> (or --unix <path>). Run 'framewire serve --help' for usage."
        : 'give --port or --unix, not both',
    );
  }
  const log = createLogger(io.stderr, options.quiet === true);
  // The first stderr line is always `listening on HOST:PORT` (scripts read the port from it), so
  // a warning about the options (`--max-frame` over what the framing carries) waits until that
  // line is written, or until starting fails.
  const startupWarnings: string[] = [];
  const strategy = framingFromOptions(options, {
    ...log,
    warn: (line) => {
      startupWarnings.push(line);
    },
  });
  const flushWarnings = (): void => {
    for (const line of startupWarnings.splice(0)) log.warn(line);
  };
  let resolveFirst: (outcome: ConnectionOutcome) => void = () => undefined;
  const firstConnectionDone = new Promise<ConnectionOutcome>((resolve) => {
    resolveFirst = resolve;
  });
  let tls: Awaited<ReturnType<typeof readServerTlsFiles>> | undefined;
  let server: Server;
  try {
    const welcome =
      options.welcome === undefined ? undefined : encodeNamed(strategy.createEncoder(), textEncoder.encode(options.welcome), '--welcome');
    if ((options.tlsCert === undefined) !== (options.tlsKey === undefined)) {
      throw new UsageError('--tls-cert and --tls-key must be given together');
    }
    tls =
      options.tlsCert !== undefined && options.tlsKey !== undefined ? await readServerTlsFiles(options.tlsCert, options.tlsKey) : undefined;
    server = await listen(
      {
        ...(options.unix === undefined ? { host: options.host, port: options.port } : { path: options.unix }),
        maxConnections: options.maxConnections,
        ...(options.idleTimeout > 0 ? { idleTimeout: options.idleTimeout * 1000 } : {}),
        ...(options.recvSize !== undefined ? { recvSize: options.recvSize } : {}),
        ...(tls ? { tls } : {}),
        onError: (error: Error, connection: Connection | undefined) => {
          log.error(`${connection === undefined ? 'server' : `Connection from ${connection.remoteAddress}`}: ${error.message}`);
        },
      },
      async (connection: Connection) => {
        const outcome = await serveConnection(connection, strategy, options, welcome, log);
        resolveFirst(outcome);
      },
    ).catch(async (error: unknown) => {
      if (options.unix === undefined) throw error;
      throw error instanceof AddressInUseError ? await explainSocketInUse(options.unix, error) : ((await explainMissingDirectory(options.unix, error)) ?? error);
    });
  } catch (error) {
    flushWarnings();
    throw error;
  }
  const signals = waitForSignal();
  try {
    io.stderr.write(`listening on ${formatEndpoint(server.address)}\n`);
    flushWarnings();
    log.info(
      log.c.dim(
        `framing ${strategy.name}, max frame ${formatBytes(strategy.maxFrameLength)}, ` +
          `max ${options.maxConnections} connection${options.maxConnections === 1 ? '' : 's'}${options.echo === true ? ', echo on' : ''}${tls ? ', TLS' : ''}`,
      ),
    );
    const ended = await Promise.race([
      signals.promise.then((signal) => ({ signal })),
      ...(options.once === true ? [firstConnectionDone.then((outcome) => ({ outcome }))] : []),
    ]);
    if ('signal' in ended) {
      log.info(`${ended.signal}: closing (grace period ${options.grace} s; a second signal ends it now)…`);
    }
    await server.close({ graceMs: options.grace * 1000 });
    log.info('Server closed.');
    if ('outcome' in ended && ended.outcome.error !== undefined) {
      throw new CliError(toError(ended.outcome.error).message);
    }
  } finally {
    signals.dispose();
  }
}

/** The `serve` command. */
export function serveCommand(io?: CommandIo): Command {
  return new Command('serve')
    .summary('a framed TCP server (logs frames; --echo)')
    .description(
      'Run a framed TCP server. Logs connections and frames to stderr; the first stderr line is "listening on HOST:PORT".',
    )
    .option('-p, --port <port>', 'TCP port to listen on, required (0 = pick a free one; see the first log line)', parsePort)
    .option('--unix <path>', 'listen on a Unix domain socket instead of a TCP port')
    .addOption(new Option('--host <host>', 'address to bind (use 0.0.0.0 or :: to accept other machines)').default('127.0.0.1'))
    .addOption(framingOption())
    .addOption(maxFrameOption())
    .addOption(allowUnterminatedOption())
    .option('--echo', 'send every frame back, with the same framing')
    .option('--welcome <text>', 'send this text as one frame to every client when it connects')
    .option('--once', 'exit after the first connection ends (exit 1 if it failed)')
    .addOption(
      new Option('--max-connections <n>', 'most concurrent connections; more are refused')
        .argParser(parsePositiveCount)
        .default(DEFAULT_MAX_CONNECTIONS),
    )
    .addOption(
      new Option('--idle-timeout <seconds>', 'close a connection silent for this long (0 = never)')
        .argParser(parseSeconds)
        .default(300),
    )
    .addOption(
      new Option('--frame-timeout <seconds>', 'close a connection whose frame stays incomplete this long (0 = never)')
        .argParser(parseSeconds)
        .default(30),
    )
    .addOption(
      new Option('--grace <seconds>', 'on SIGINT/SIGTERM, let open connections finish for this long').argParser(parseSeconds).default(5),
    )
    .addOption(new Option('--recv-size <bytes>', 'read at most this many bytes at a time (like recv(N))').argParser(parseRecvSize))
    .option('-q, --quiet', 'log only the listening line and errors')
    .option('--tls-cert <file>', 'serve TLS with this PEM certificate (with --tls-key)')
    .option('--tls-key <file>', 'PEM private key of --tls-cert')
    .addHelpText(
      'after',
      framingsHelp() +
        examples(
          'framewire serve --port 1234 --framing ascii:10 --welcome "Hey there!!!"',
          'framewire serve --port 0 --framing line --echo',
        ),
    )
    .action(async (options: ServeOptions) => {
      await runServe(options, io);
    });
}
