import { Buffer } from 'node:buffer';
import { setTimeout as sleep } from 'node:timers/promises';
import { Deframer, concatBytes, isFramingError } from '@framewire/chunk-buffer';
import type { FramingStrategy } from '@framewire/chunk-buffer';
import { connect, listen } from '@framewire/transport';
import type { Connection } from '@framewire/transport';
import { Command } from 'commander';
import { resolveFraming } from '../framing.js';
import { processIo } from '../io.js';
import type { CommandIo } from '../io.js';
import { colorsFor } from '../output.js';
import type { Colors } from '../output.js';
import { examples } from '../usage.js';

const HOST = '127.0.0.1';
const MESSAGES = ['Hello', 'How are you?', 'Bye'];
const te = new TextEncoder();
const LABEL_WIDTH = 20;

const ESCAPES: Readonly<Record<number, string>> = { 0x0a: '\\n', 0x0d: '\\r', 0x22: '\\"', 0x5c: '\\\\' };

/** Bytes as a quoted string: printable ASCII as is, `\n`, `\r`, `\t`, other bytes as `\xNN`. */
function show(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) {
    const escape = ESCAPES[byte];
    if (escape !== undefined) text += escape;
    else if (byte >= 0x20 && byte < 0x7f) text += String.fromCharCode(byte);
    else text += `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return `"${text}"`;
}

/**
 * One loopback exchange: a server that writes `writes` (one `write` call each) and closes;
 * a client reading with `recv(recvSize)`. Resolves to the chunks exactly as they arrived.
 * The client starts reading only once the server has written everything, so what the
 * receive buffer holds at that moment is what `recv` sees — as in the tutorial.
 */
async function exchange(writes: readonly Uint8Array[], recvSize: number): Promise<Uint8Array[]> {
  let markSent: () => void = () => undefined;
  const sent = new Promise<void>((resolve) => {
    markSent = resolve;
  });
  const server = await listen({ host: HOST, port: 0 }, async (connection: Connection) => {
    for (const bytes of writes) await connection.write(bytes);
    await connection.end();
    markSent();
    // Read to the client's end, so the socket closes as soon as the client is done.
    for await (const _chunk of connection) {
      // The client sends nothing.
    }
  });
  let client: Connection | undefined;
  try {
    const port = server.address.family === 'unix' ? 0 : server.address.port;
    client = await connect({ host: HOST, port, recvSize });
    await sent;
    // Let the last bytes cross loopback before the first recv.
    await sleep(20);
    const chunks: Uint8Array[] = [];
    for await (const chunk of client) chunks.push(Uint8Array.from(chunk));
    return chunks;
  } finally {
    client?.close();
    await server.close({ graceMs: 100 });
  }
}

function decodeAll(strategy: FramingStrategy, chunks: readonly Uint8Array[]): Uint8Array[] {
  const deframer = new Deframer(strategy);
  const frames: Uint8Array[] = [];
  for (const chunk of chunks) deframer.push(chunk, (frame) => frames.push(frame));
  deframer.end((frame) => frames.push(frame));
  return frames;
}

class Narrator {
  private step = 0;
  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly c: Colors,
    private readonly pauseMs: number,
  ) {}

  line(text = ''): void {
    this.out.write(`${text}\n`);
  }

  async heading(title: string): Promise<void> {
    if (this.step > 0) await sleep(this.pauseMs);
    this.step += 1;
    this.line();
    this.line(this.c.bold(this.c.cyan(`${this.step}. ${title}`)));
  }

  say(text: string): void {
    this.line(`   ${this.c.dim(text)}`);
  }

  chunks(label: string, chunks: readonly Uint8Array[]): void {
    const shown = chunks.map((chunk) => this.c.yellow(show(chunk))).join(this.c.dim(' · '));
    this.line(`   ${label.padEnd(LABEL_WIDTH)} ${this.c.dim('→')} ${shown}`);
  }

  good(text: string): void {
    this.line(`   ${this.c.green(`✓ ${text}`)}`);
  }

  bad(text: string): void {
    this.line(`   ${this.c.red(`✗ ${text}`)}`);
  }
}

function sameFrames(frames: readonly Uint8Array[], expected: readonly Uint8Array[]): boolean {
  return frames.length === expected.length && frames.every((frame, i) => Buffer.compare(frame, expected[i]!) === 0);
}

async function framedStep(n: Narrator, strategy: FramingStrategy, payloads: readonly Uint8Array[]): Promise<void> {
  const encoder = strategy.createEncoder();
  const writes = payloads.map((payload) => concatBytes(encoder.encode(payload)));
  n.chunks('on the wire', [concatBytes(writes)]);
  const chunks = await exchange(writes, 8);
  n.chunks('client recv(8)', chunks);
  const frames = decodeAll(strategy, chunks);
  n.chunks(`decoded (${strategy.name})`, frames);
  const what = payloads.length === 1 ? 'the message that was sent' : `the ${payloads.length} messages that were sent`;
  if (sameFrames(frames, payloads)) n.good(`exactly ${what}, however the bytes were chunked`);
  else n.bad('the messages did not survive (this should not happen)');
}

/**
 * `framewire demo`: the tutorial's story told live on loopback — recv(8) chunks, messages
 * that run together, header and footer framing fixing it, a bare delimiter breaking and COBS
 * fixing that. Narration on stdout; colours and short pauses only on a TTY.
 */
export async function runDemo(io: CommandIo = processIo()): Promise<void> {
  const c = colorsFor(io.stdout);
  const n = new Narrator(io.stdout, c, io.stdout.isTTY === true ? 400 : 0);
  n.line(c.bold('framewire demo — the sockets tutorial, live on 127.0.0.1'));

  await n.heading('A server sends "Hey there!!!"; the client reads with recv(8)');
  const hey = te.encode('Hey there!!!');
  n.chunks('server send()', [hey]);
  n.chunks('client recv(8)', await exchange([hey], 8));
  n.say('TCP hands over bytes as they come, not messages: 8 at a time cuts the message in two.');

  const payloads = MESSAGES.map((message) => te.encode(message));
  await n.heading('Three messages sent back-to-back, no framing');
  n.chunks('server send() ×3', payloads);
  const glued = await exchange(payloads, 1024);
  n.chunks('client recv(1024)', glued);
  if (glued.length < payloads.length) n.bad('glued together: where does one message end and the next begin?');
  else n.bad('each arrived alone this time, but nothing on the wire says where a message ends');
  const split = await exchange(payloads, 8);
  n.chunks('client recv(8)', split);
  n.bad('split in the middle of messages, and across them');
  n.say('"TCP is a communication stream... so how do we know when a message is actually happening?"');

  await n.heading('Header framing: ascii:10, the tutorial\'s fixed 10-character length header');
  await framedStep(n, resolveFraming('ascii:10'), payloads);

  await n.heading('Footer framing: line, a "\\n" after each message');
  await framedStep(n, resolveFraming('line'), payloads);

  await n.heading('But a bare delimiter breaks when the payload contains it');
  const line = resolveFraming('line');
  const tricky = te.encode('first line\nsecond line');
  const naive = concatBytes([tricky, te.encode('\n')]);
  n.chunks('one message', [tricky]);
  n.chunks('naive sender writes', [naive]);
  const naiveFrames = decodeAll(line, await exchange([naive], 8));
  n.chunks('decoded (line)', naiveFrames);
  n.bad(`one message arrived as ${naiveFrames.length}`);
  try {
    line.createEncoder().encode(tricky);
    n.bad('the line encoder accepted it (this should not happen)');
  } catch (error) {
    if (!isFramingError(error)) throw error;
    n.good(`framewire's line encoder refuses it instead: ${error.code}: ${error.message}`);
  }

  await n.heading('COBS fixes it: the payload is re-encoded so 0x00 never appears inside a frame');
  const binary = concatBytes([te.encode('line\none'), Uint8Array.of(0x00, 0xff)]);
  await framedStep(n, resolveFraming('cobs'), [binary]);
  n.say('The code bytes say where the payload\'s zeros were, so 0x00 on the wire only ever ends a frame.');
  n.say('Any bytes at all (newlines, zeros) go through; the cost is at most 1 byte per 254.');

  n.line();
  n.line(c.bold('Try it yourself:'));
  n.line(`   framewire serve --port 1234 --framing raw --welcome "Hey there!!!"`);
  n.line(`   framewire connect --port 1234 --framing raw --recv-size 8`);
  n.line(`   framewire serve --port 1235 --framing ascii:10 --echo`);
  n.line(`   framewire connect --port 1235 --framing ascii:10 --expect 2 Hello "How are you?"`);
}

/** The `demo` command. */
export function demoCommand(io?: CommandIo): Command {
  return new Command('demo')
    .summary('the sockets tutorial, live on loopback')
    .description(
      'Replay the sockets tutorial live on 127.0.0.1: recv(8) chunks, messages running together, header and footer framing fixing it, and why COBS beats a bare delimiter.',
    )
    .addHelpText('after', examples('framewire demo', 'framewire demo | less'))
    .action(async () => {
      await runDemo(io);
    });
}
