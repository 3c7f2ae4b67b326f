import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { Readable, type Writable } from 'node:stream';
import { DelimiterParser } from '@serialport/parser-delimiter';
import { ReadlineParser } from '@serialport/parser-readline';
import { BufferList } from 'bl';
import * as lp from 'it-length-prefixed';
import type { LengthDecoderFunction } from 'it-length-prefixed';
import lps from 'length-prefixed-stream';
import split2 from 'split2';
import { Uint8ArrayList } from 'uint8arraylist';
import type { Workload } from '../workloads.js';
import { asyncChunks, type Pass } from './types.js';

// it-length-prefixed refuses frames over 4 MiB by default; W5 carries 8 MiB.
const MAX_DATA_LENGTH = 16 * 1024 * 1024;

/**
 * A u32be length decoder in it-length-prefixed's protocol: a RangeError means "need more
 * bytes", and the header size is reported through the function's `bytes` property.
 */
const u32beLength: LengthDecoderFunction = Object.assign(
  (data: Uint8ArrayList): number => {
    if (data.byteLength < 4) throw new RangeError('need 4 bytes');
    return data.getUint32(0);
  },
  { bytes: 4 },
);

function ilpOptions(workload: Workload): lp.DecoderOptions {
  if (workload.wire === 'u32be') return { lengthDecoder: u32beLength, maxDataLength: MAX_DATA_LENGTH };
  if (workload.wire === 'varint') return { maxDataLength: MAX_DATA_LENGTH };
  throw new Error(`it-length-prefixed does not decode ${workload.wire}`);
}

function requireWire(workload: Workload, wire: string, peer: string): void {
  if (workload.wire !== wire) throw new Error(`${peer} is measured on ${wire} workloads (got ${workload.wire})`);
}

/** Writes the chunks into a stream, honouring backpressure, then ends it. */
async function feed(stream: Writable, chunks: readonly Uint8Array[]): Promise<void> {
  for (const chunk of chunks) {
    if (!stream.write(chunk)) await once(stream, 'drain');
  }
  stream.end();
}

/** The other libraries, each used the way its README shows. */
export const peerImpls = {
  /** it-length-prefixed over a synchronous iterable (its generator stays synchronous). */
  'ilp-sync'(workload: Workload): Pass {
    const options = ilpOptions(workload);
    const { chunks } = workload;
    return (tally) => {
      for (const list of lp.decode(chunks, options)) tally.add(list.subarray());
    };
  },

  /** it-length-prefixed over an async iterable, as from a socket. */
  'ilp-async'(workload: Workload): Pass {
    const options = ilpOptions(workload);
    const { chunks } = workload;
    return async (tally) => {
      for await (const list of lp.decode(asyncChunks(chunks), options)) tally.add(list.subarray());
    };
  },

  /** length-prefixed-stream's decoder (a Transform stream; varint prefixes only). */
  lps(workload: Workload): Pass {
    requireWire(workload, 'varint', 'length-prefixed-stream');
    const { chunks } = workload;
    return async (tally) => {
      const decoder = lps.decode();
      decoder.on('data', (frame: Buffer) => {
        tally.add(frame);
      });
      const ended = once(decoder, 'end');
      await feed(decoder, chunks);
      await ended;
    };
  },

  /** bl's BufferList with the obvious u32be loop on top. */
  bl(workload: Workload): Pass {
    requireWire(workload, 'u32be', 'bl');
    const { chunks } = workload;
    return (tally) => {
      const list = new BufferList();
      for (const chunk of chunks) {
        list.append(chunk);
        while (list.length >= 4) {
          const n = list.readUInt32BE(0);
          if (list.length < 4 + n) break;
          tally.add(list.slice(4, 4 + n));
          list.consume(4 + n);
        }
      }
    };
  },

  /** uint8arraylist with the obvious u32be loop on top. */
  u8al(workload: Workload): Pass {
    requireWire(workload, 'u32be', 'uint8arraylist');
    const { chunks } = workload;
    return (tally) => {
      const list = new Uint8ArrayList();
      for (const chunk of chunks) {
        list.append(chunk);
        while (list.byteLength >= 4) {
          const n = list.getUint32(0);
          if (list.byteLength < 4 + n) break;
          tally.add(list.subarray(4, 4 + n));
          list.consume(4 + n);
        }
      }
    };
  },

  /** @serialport/parser-delimiter with `\n` (bytes out). */
  'serialport-delimiter'(workload: Workload): Pass {
    requireWire(workload, 'line', '@serialport/parser-delimiter');
    const { chunks } = workload;
    return async (tally) => {
      const parser = new DelimiterParser({ delimiter: [0x0a] });
      parser.on('data', (line: Buffer) => {
        tally.add(line);
      });
      const ended = once(parser, 'end');
      await feed(parser, chunks);
      await ended;
    };
  },

  /** @serialport/parser-readline (strings out, UTF-8). */
  'serialport-readline'(workload: Workload): Pass {
    requireWire(workload, 'line', '@serialport/parser-readline');
    const { chunks } = workload;
    return async (tally) => {
      const parser = new ReadlineParser();
      parser.on('data', (line: string) => {
        tally.addString(line);
      });
      const ended = once(parser, 'end');
      await feed(parser, chunks);
      await ended;
    };
  },

  /** split2 (strings out). */
  split2(workload: Workload): Pass {
    requireWire(workload, 'line', 'split2');
    const { chunks } = workload;
    return async (tally) => {
      const splitter = split2();
      splitter.on('data', (line: string) => {
        tally.addString(line);
      });
      const ended = once(splitter, 'end');
      await feed(splitter, chunks);
      await ended;
    };
  },

  /** node:readline over a Readable of the chunks (strings out). */
  readline(workload: Workload): Pass {
    requireWire(workload, 'line', 'node:readline');
    const { chunks } = workload;
    return async (tally) => {
      const lines = createInterface({ input: Readable.from(chunks), crlfDelay: Infinity });
      lines.on('line', (line: string) => {
        tally.addString(line);
      });
      await once(lines, 'close');
    };
  },
} satisfies Record<string, (workload: Workload) => Pass>;
