import type { Tally } from '../tally.js';
import type { Workload } from '../workloads.js';

/** One untimed or timed pass of an implementation over a prepared workload. */
export type Pass = (tally: Tally) => void | Promise<void>;

/** Builds a pass for a workload; anything costly that is not decoding happens here, untimed. */
export type Prepare = (workload: Workload) => Pass;

/** The chunks as an async iterable, one resolved promise per chunk, as from a socket. */
export function asyncChunks(chunks: readonly Uint8Array[]): AsyncIterable<Uint8Array> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<Uint8Array, undefined> {
      let i = 0;
      return {
        next: () =>
          Promise.resolve(
            i < chunks.length ? { value: chunks[i++]!, done: false as const } : { value: undefined, done: true as const },
          ),
      };
    },
  };
}
