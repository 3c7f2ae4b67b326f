/**
 * The other end of a TCP cell, in a worker thread (its own event loop, so its own core): the
 * sender of the throughput scenarios, or the echo server of the ping-pong.
 */
import { once } from 'node:events';
import net from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { ReferenceU32Decoder } from './reference.js';
import { BATCH, HOST, packFrame, planOf, poolOf, type PeerData, type PeerMessage, type TcpPlan } from './tcp-shared.js';

const data = workerData as PeerData;
const port = parentPort;
if (port === null) throw new Error('tcp-peer runs as a worker thread');

function post(message: PeerMessage): void {
  port?.postMessage(message);
}

async function connectRaw(portNumber: number): Promise<net.Socket> {
  const socket = net.connect({ host: HOST, port: portNumber });
  await once(socket, 'connect');
  return socket;
}

async function finish(socket: net.Socket): Promise<void> {
  const closed = once(socket, 'close');
  socket.end();
  await closed;
}

/** Raw sender: each 64 KiB payload written as it is (no framing), with backpressure. */
async function sendRawBulk(plan: TcpPlan, pool: Buffer[], portNumber: number): Promise<void> {
  const socket = await connectRaw(portNumber);
  for (let i = 0; i < plan.frames; i++) {
    if (!socket.write(pool[i % pool.length]!)) await once(socket, 'drain');
  }
  await finish(socket);
}

/** Hand-written corked writer: per batch, `cork()`, header and payload written per frame, `uncork()`. */
async function sendCorked(plan: TcpPlan, pool: Buffer[], portNumber: number): Promise<void> {
  const socket = await connectRaw(portNumber);
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
  await finish(socket);
}

/** Hand-written packed writer: per batch, frames copied into one buffer, one `write`. */
async function sendPacked(plan: TcpPlan, pool: Buffer[], portNumber: number): Promise<void> {
  const socket = await connectRaw(portNumber);
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
  await finish(socket);
}

/** Raw echo server: hand-written decoder, each frame written back in one `write`. */
async function echoRaw(): Promise<void> {
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
  post({ type: 'listening', port: (server.address() as net.AddressInfo).port });
}

async function main(): Promise<void> {
  const plan = planOf(data.scenario, data.quick);
  const pool = poolOf(plan);
  if (data.impl === 'framewire' || data.impl === 'framewire-borrowed') {
    const { framewirePeer } = await import('./tcp-framewire.js');
    await framewirePeer(data, plan, pool, post);
  } else if (data.scenario === 'pingpong') {
    await echoRaw();
    return; // serves until terminated
  } else {
    const target = data.port;
    if (target === undefined) throw new Error('sender needs a port');
    if (data.impl === 'raw') await sendRawBulk(plan, pool, target);
    else if (data.impl === 'corked') await sendCorked(plan, pool, target);
    else await sendPacked(plan, pool, target);
  }
  if (data.scenario !== 'pingpong') post({ type: 'done' });
}

await main();
