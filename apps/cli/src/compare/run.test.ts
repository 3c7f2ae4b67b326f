import { describe, expect, it, vi } from 'vitest';
import { bestLatency, runCompare } from './run.js';
import { resolveCompared } from './strategies.js';
import type { TcpLatency } from './tcp.js';

// Three latency rounds in which the lowest p50 and the lowest p99 come from different rounds.
const ROUNDS = vi.hoisted((): TcpLatency[] => [
  { payloadBytes: 16, roundTrips: 1000, p50us: 50, p99us: 900 },
  { payloadBytes: 16, roundTrips: 990, p50us: 40, p99us: 700 },
  { payloadBytes: 16, roundTrips: 1000, p50us: 60, p99us: 100 },
]);

// The latency measurement replays ROUNDS, one per call, so the test knows every round's
// figures; everything else (memory, TCP throughput) is measured for real.
vi.mock('./tcp.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('./tcp.js')>();
  let call = 0;
  return { ...actual, measureTcpLatency: () => Promise.resolve(ROUNDS[call++ % ROUNDS.length]!) };
});

describe('bestLatency', () => {
  it('keeps the round with the lowest p50 whole: its p99 and round trips with it', () => {
    const [first, second, third] = ROUNDS;
    const best = [first!, second!, third!].reduce<TcpLatency | undefined>((kept, round) => bestLatency(kept, round), undefined);
    expect(best).toEqual(second);
  });

  it('breaks a tie of p50 by the lower p99, then keeps the earlier round', () => {
    const a: TcpLatency = { payloadBytes: 16, roundTrips: 10, p50us: 40, p99us: 300 };
    const b: TcpLatency = { payloadBytes: 16, roundTrips: 20, p50us: 40, p99us: 200 };
    expect(bestLatency(a, b)).toBe(b);
    expect(bestLatency(b, a)).toBe(b);
    expect(bestLatency(a, { ...a, roundTrips: 30 })).toBe(a);
  });
});

describe('a full run (three rounds)', () => {
  it('reports p50 and p99 of one latency round, not the best of each from different rounds', async () => {
    const report = await runCompare({ strategies: resolveCompared(['u32be']), sizes: [16], quick: false });
    expect(report.settings.rounds).toBe(3);
    const { tcp } = report.strategies[0]!;
    expect(tcp.latency).toEqual(ROUNDS[1]);
    expect([tcp.p50us, tcp.p99us]).toEqual([40, 700]);
  }, 60_000);
});
