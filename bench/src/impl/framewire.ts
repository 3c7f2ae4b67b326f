import { Deframer, decodeFrames, decodeFramesAsync, type FramingStrategy } from '@framewire/chunk-buffer';
import { LineTextDecoder, footerStrategy } from '@framewire/footer';
import { headerStrategy } from '@framewire/header';
import { isHeaderWire, type Wire } from '../wire.js';
import type { Workload } from '../workloads.js';
import { asyncChunks, type Pass } from './types.js';

/** The framewire strategy of a wire format, by its shared name, with default options. */
export function strategyFor(wire: Wire): FramingStrategy {
  const strategy = isHeaderWire(wire) ? headerStrategy(wire) : footerStrategy(wire);
  if (strategy === undefined) throw new Error(`framewire has no strategy named ${wire}`);
  return strategy;
}

/** A pass of `Deframer.push(chunk, onFrame)` over `chunks`, then `end`. */
function deframerPass(strategy: FramingStrategy, chunks: readonly Uint8Array[]): Pass {
  return (tally) => {
    const deframer = new Deframer(strategy);
    const onFrame = (frame: Uint8Array): void => {
      tally.add(frame);
    };
    for (const chunk of chunks) deframer.push(chunk, onFrame);
    deframer.end(onFrame);
  };
}

/** framewire's decode loops, each over the workload's own wire format. */
export const framewireImpls = {
  /** `Deframer.push(chunk, onFrame)`: the synchronous loop, as in a socket's 'data' handler. */
  framewire(workload: Workload): Pass {
    return deframerPass(strategyFor(workload.wire), workload.chunks);
  },

  /**
   * The same loop over the same chunks as plain `Uint8Array` views (what a WHATWG stream,
   * `fetch` among them, hands out): no `Buffer` methods on the chunks.
   */
  'framewire-plain'(workload: Workload): Pass {
    const chunks = workload.chunks.map((chunk) => new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
    return deframerPass(strategyFor(workload.wire), chunks);
  },

  /** `decodeFrames(chunks, strategy)`: the generator over a synchronous iterable. */
  'framewire-generator'(workload: Workload): Pass {
    const strategy = strategyFor(workload.wire);
    const { chunks } = workload;
    return (tally) => {
      for (const frame of decodeFrames(chunks, strategy)) tally.add(frame);
    };
  },

  /** `decodeFramesAsync(source, strategy)` over an async iterable, as from a socket. */
  'framewire-async'(workload: Workload): Pass {
    const strategy = strategyFor(workload.wire);
    const { chunks } = workload;
    return async (tally) => {
      for await (const frame of decodeFramesAsync(asyncChunks(chunks), strategy)) tally.add(frame);
    };
  },

  /** `LineTextDecoder`: lines as strings, UTF-8 decoded once per run of lines in a chunk. */
  'framewire-strings'(workload: Workload): Pass {
    if (workload.wire !== 'line') throw new Error(`LineTextDecoder reads lines, not ${workload.wire}`);
    const { chunks } = workload;
    return (tally) => {
      const lines = new LineTextDecoder();
      const onLine = (text: string): void => {
        tally.addString(text);
      };
      for (const chunk of chunks) lines.push(chunk, onLine);
      lines.end(onLine);
    };
  },

  /** `Deframer` with every frame turned into a string by one shared `TextDecoder`. */
  'framewire-textdecoder'(workload: Workload): Pass {
    const strategy = strategyFor(workload.wire);
    const { chunks } = workload;
    return (tally) => {
      const deframer = new Deframer(strategy);
      const text = new TextDecoder();
      const onFrame = (frame: Uint8Array): void => {
        tally.addString(text.decode(frame));
      };
      for (const chunk of chunks) deframer.push(chunk, onFrame);
      deframer.end(onFrame);
    };
  },
} satisfies Record<string, (workload: Workload) => Pass>;
