/**
 * The other end of a TCP cell, in a worker thread (its own event loop, so its own core),
 * listening on a free port: the sender of the throughput scenarios, or the two echo servers
 * (framewire and raw) of the ping-pong. One worker serves every pass of a cell process, the
 * warm-up pass first, so that its code is as warm as the receiver's when the timed passes run.
 */
import { once } from 'node:events';
import net from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { isFramewireTcp } from './cells.js';
import { ReferenceU32Decoder } from './reference.js';
import { BATCH, HOST, packFrame, planOf, poolOf, type PeerData, type PeerMessage, type TcpPlan } from './tcp-shared.js';

const data = workerData as PeerData;
const port = parentPort;
if (port === null) throw new Error('tcp-peer runs as a worker thread');

function post(message: PeerMessage): void {
  port?.postMessage(message);
}

/**
 * Listens on a free port, posts it, and runs `send` on each connection it accepts (the passes
 * come one after another), posting `done` once the receiver has closed it. Serves until the
 * worker is terminated.
 */
async function serve(send: (socket: net.Socket) => Promise<void>): Promise<void> {
  const server = net.createServer((socket) => {
    const closed = once(socket, 'close');
    socket.resume(); // the receiver sends nothing back; its FIN must still be read
    // As framewire's transport does by default: with Nagle's algorithm on, the raw sender's
    // 64 KiB writes took about 19% longer (medians of five processes each, alternating), which
    // flattered the framed rows.
    socket.setNoDelay(true);
    send(socket)
      .then(async () => {
        socket.end();
        await closed;
        post({ type: 'done' });
      })
      .catch((error: unknown) => {
        // Fails the worker: the cell reports it.
        setImmediate(() => {
          throw error;
        });
      });
  });
  server.listen(0, HOST);
  await once(server, 'listening');
  post({ type: 'listening', port: (server.address() as net.AddressInfo).port });
}

/** Raw sender: each 64 KiB payload written as it is (no framing), with backpressure. */
async function sendRawBulk(socket: net.Socket, plan: TcpPlan, pool: Buffer[]): Promise<void> {
  for (let i = 0; i < plan.frames; i++) {
    if (!socket.write(pool[i % pool.length]!)) await once(socket, 'drain');
  }
}

/** Hand-written corked writer: per batch, `cork()`, header and payload written per frame, `uncork()`. */
async function sendCorked(socket: net.Socket, plan: TcpPlan, pool: Buffer[]): Promise<void> {
  for (let i = 0; i < plan.frames; ) {
    const end = Math.min(i + BATCH, plan.frames);
    socket.cork();
    let ok = true;
    for (; i < end; i++) {
      const payload = pool[i % pool.length]!;
      const header = Buffer.allocUnsafe(4);
      header.writeUInt32BE(payload.length, 0);
      socket.write(header);
      ok = socket.write(payload);
    }
    socket.uncork();
    if (!ok) await once(socket, 'drain');
  }
}

/** Hand-written packed writer: per batch, frames copied into one buffer, one `write`. */
async function sendPacked(socket: net.Socket, plan: TcpPlan, pool: Buffer[]): Promise<void> {
  const frameLength = 4 + plan.payloadLength;
  for (let i = 0; i < plan.frames; ) {
    const end = Math.min(i + BATCH, plan.frames);
    const batch = Buffer.allocUnsafe((end - i) * frameLength);
    for (let at = 0; i < end; i++, at += frameLength) {
      const payload = pool[i % pool.length]!;
      batch.writeUInt32BE(payload.length, at);
      batch.set(payload, at + 4);
    }
    if (!socket.write(batch)) await once(socket, 'drain');
  }
}

/** Raw echo server: hand-written decoder, each frame written back in one `write`. Resolves with its port. */
async function echoRaw(): Promise<number> {
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    const decoder = new ReferenceU32Decoder();
    socket.on('data', (chunk: Buffer) => {
      decoder.push(chunk, (frame) => {
        socket.write(packFrame(frame));
      });
    });
    socket.on('end', () => socket.end());
    socket.on('error', () => socket.destroy());
  });
  server.listen(0, HOST);
  await once(server, 'listening');
  return (server.address() as net.AddressInfo).port;
}

async function main(): Promise<void> {
  const plan = planOf(data.scenario, data.quick);
  const pool = poolOf(plan);
  if (data.scenario === 'pingpong') {
    // Both echo servers: the client alternates between them (see tcp.ts). They serve until terminated.
    const { framewireEcho } = await import('./tcp-framewire.js');
    post({ type: 'listening', port: await framewireEcho(), rawPort: await echoRaw() });
    return;
  }
  if (isFramewireTcp(data.impl)) {
    const { framewirePeer } = await import('./tcp-framewire.js');
    await framewirePeer(data, plan, pool, post);
  } else {
    const send = data.impl === 'raw' ? sendRawBulk : data.impl === 'corked' ? sendCorked : sendPacked;
    await serve((socket) => send(socket, plan, pool));
  }
}

await main();
