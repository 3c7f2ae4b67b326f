/**
 * The other end of a TCP cell, in a worker thread (its own event loop, so its own core),
 * listening on a free port: the sender of the throughput scenarios, or the two echo servers
 * (framewire and raw) of the ping-pong.
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
 * Listens on a free port, posts it, and runs `send` on the one connection it accepts; resolves
 * once the receiver has closed that connection.
 */
async function serveOnce(send: (socket: net.Socket) => Promise<void>): Promise<void> {
  const server = net.createServer();
  server.listen(0, HOST);
  await once(server, 'listening');
  post({ type: 'listening', port: (server.address() as net.AddressInfo).port });
  const [socket] = (await once(server, 'connection')) as [net.Socket];
  server.close();
  const closed = once(socket, 'close');
  socket.resume(); // the receiver sends nothing back; its FIN must still be read
  await send(socket);
  socket.end();
  await closed;
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
    await serveOnce((socket) => send(socket, plan, pool));
  }
  post({ type: 'done' });
}

await main();
