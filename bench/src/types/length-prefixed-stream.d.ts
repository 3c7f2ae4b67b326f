// length-prefixed-stream ships no types; the suite uses only its decoder.
declare module 'length-prefixed-stream' {
  import type { Transform } from 'node:stream';

  interface DecodeOptions {
    /** Largest accepted message length; 0 means no limit. */
    limit?: number;
    allowEmpty?: boolean;
  }

  const lps: {
    decode(options?: DecodeOptions): Transform;
    encode(): Transform;
  };
  export default lps;
}
