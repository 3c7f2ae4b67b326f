import { ReferenceLineSplitter, ReferenceU32Decoder } from '../reference.js';
import type { Tally } from '../tally.js';
import type { Workload } from '../workloads.js';
import type { Pass } from './types.js';

/** The hand-written references, and the `Uint8Array.set` bandwidth limit. */
export const referenceImpls = {
  /** The minimal u32be decoder or line splitter, by the workload's wire format. */
  reference(workload: Workload): Pass {
    const { chunks } = workload;
    if (workload.wire === 'u32be') {
      return (tally) => {
        const decoder = new ReferenceU32Decoder();
        const onFrame = (frame: Uint8Array): void => {
          tally.add(frame);
        };
        for (const chunk of chunks) decoder.push(chunk, onFrame);
        if (decoder.leftover !== 0) throw new Error(`${decoder.leftover} bytes left over`);
      };
    }
    if (workload.wire === 'line') {
      return (tally) => {
        const splitter = new ReferenceLineSplitter();
        const onLine = (line: Uint8Array): void => {
          tally.add(line);
        };
        for (const chunk of chunks) splitter.push(chunk, onLine);
        if (splitter.leftover !== 0) throw new Error(`${splitter.leftover} bytes left over`);
      };
    }
    throw new Error(`no reference for ${workload.wire}`);
  },

  /** The reference line splitter, each line decoded with a shared `TextDecoder`. */
  'reference-strings'(workload: Workload): Pass {
    const { chunks } = workload;
    return (tally) => {
      const splitter = new ReferenceLineSplitter();
      const text = new TextDecoder();
      const onLine = (line: Uint8Array): void => {
        tally.addString(text.decode(line));
      };
      for (const chunk of chunks) splitter.push(chunk, onLine);
    };
  },

  /**
   * The physical limit of a decoder that copies: every chunk `Uint8Array.set` into one
   * destination (allocated and touched before timing), then the frames as views of it.
   */
  memcpy(workload: Workload): Pass {
    const { chunks, wireBytes } = workload;
    if (workload.wire !== 'u32be') throw new Error('memcpy is measured on u32be workloads');
    const target = Buffer.alloc(wireBytes);
    return (tally: Tally) => {
      let at = 0;
      for (const chunk of chunks) {
        target.set(chunk, at);
        at += chunk.length;
      }
      for (let p = 0; p < at; ) {
        const n = target.readUInt32BE(p);
        tally.add(target.subarray(p + 4, p + 4 + n));
        p += 4 + n;
      }
    };
  },
} satisfies Record<string, (workload: Workload) => Pass>;
