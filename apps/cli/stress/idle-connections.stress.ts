/**
 * What an idle connection costs `framewire serve` (issue 7): open as many idle connections as
 * the machine allows, up to 10,000, in batches, and read the server's resident memory from
 * `/proc` before and after. Reported as measured, with the number actually reached.
 */
import net from 'node:net';
import { afterAll, expect, it } from 'vitest';
import { KiB, mib, openFds, procMemory, recordFigures, sleep, startServe, until } from './helpers.js';
import type { Serve } from './helpers.js';

const TARGET = 10_000;
const BATCH = 500;
// A u32be frame: 4-byte length 2, then "hi".
const PING = Uint8Array.of(0, 0, 0, 2, 0x68, 0x69);

let serve: Serve | undefined;
const sockets: net.Socket[] = [];
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await serve?.stop();
});

/** Opens one plain connection; resolves with it, or with the error that prevented it. */
function open(port: number): Promise<net.Socket | Error> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(new Error('connect timed out after 10 s'));
    }, 10_000);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      socket.on('error', () => undefined);
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      resolve(error);
    });
  });
}

it(`idle connections: up to ${TARGET}, the server's memory per connection`, { timeout: 300_000 }, async () => {
  serve = await startServe(['--framing', 'u32be', '--echo', '--quiet', '--max-connections', String(TARGET), '--idle-timeout', '0']);
  const pid = serve.pid;
  // Warm the server up (first connection, JIT) before the baseline.
  const warm = await open(serve.port);
  if (warm instanceof Error) throw warm;
  warm.write(PING);
  await new Promise((resolve) => warm.once('data', resolve));
  warm.destroy();
  await sleep(500);
  const baseFds = openFds(pid);
  const base = procMemory(pid);

  let stoppedBy: string | undefined;
  const started = performance.now();
  while (sockets.length < TARGET && stoppedBy === undefined) {
    const results = await Promise.all(Array.from({ length: Math.min(BATCH, TARGET - sockets.length) }, () => open(serve!.port)));
    for (const result of results) {
      if (result instanceof Error) stoppedBy ??= result.message;
      else sockets.push(result);
    }
    // Each accepted connection holds one descriptor in the server.
    await until(() => openFds(pid) - baseFds >= sockets.length, `serve to accept ${sockets.length} connections`, 20_000, 20);
  }
  const openSeconds = (performance.now() - started) / 1000;
  await sleep(1_000);
  const idle = procMemory(pid);
  const reached = sockets.length;

  // Each is a live, served connection: one small frame each comes back.
  let echoed = 0;
  await Promise.all(
    sockets.map(
      (socket) =>
        new Promise<void>((resolve) => {
          socket.once('data', () => {
            echoed += 1;
            resolve();
          });
          socket.write(PING);
        }),
    ),
  );
  await sleep(1_000);
  const afterOneFrame = procMemory(pid);

  expect(reached).toBeGreaterThanOrEqual(1_000);
  expect(echoed).toBe(reached);
  expect(serve.child.exitCode).toBeNull();
  const perIdle = (idle.rss - base.rss) / reached;
  const perUsed = (afterOneFrame.rss - base.rss) / reached;
  recordFigures('serve idle connections', {
    target: TARGET,
    reached,
    stoppedBy: stoppedBy ?? 'target reached',
    secondsToOpen: Number(openSeconds.toFixed(1)),
    serverRssBefore: mib(base.rss),
    serverRssIdle: mib(idle.rss),
    perIdleConnectionKiB: Number((perIdle / KiB).toFixed(1)),
    serverRssAfterOneFrameEach: mib(afterOneFrame.rss),
    perConnectionAfterOneFrameKiB: Number((perUsed / KiB).toFixed(1)),
    serverPeakRss: mib(afterOneFrame.hwm),
  });
});
