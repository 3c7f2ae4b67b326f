/**
 * Hand-written encoders for every wire format the suite measures. Workloads are encoded
 * with these, not with framewire's encoders, so a decoder is always checked against an
 * independent implementation of its wire format.
 */

/** Wire formats by their framewire strategy names. */
export const HEADER_WIRES = ['u24be', 'u32be', 'u32le', 'u64be', 'u64le', 'varint', 'ascii:10', 'netstring'] as const;
export const FOOTER_WIRES = ['line', 'crlf', 'nul', 'delim:0d0a', 'cobs', 'slip'] as const;
export type Wire = (typeof HEADER_WIRES)[number] | (typeof FOOTER_WIRES)[number];

export function isHeaderWire(wire: Wire): boolean {
  return (HEADER_WIRES as readonly string[]).includes(wire);
}

/**
 * True when the format cannot carry arbitrary bytes: its payloads are printable ASCII
 * (which also makes them valid UTF-8 for the strings-out cells).
 */
export function isTextWire(wire: Wire): boolean {
  return wire === 'line' || wire === 'crlf' || wire === 'nul' || wire === 'delim:0d0a';
}

/** Encodes `count` payloads of `length` bytes, stored back to back in `payloads`, as one stream. */
export function encodeStream(wire: Wire, payloads: Uint8Array, count: number, length: number): Buffer {
  const out = new Writer(count * (length + maxOverhead(wire, length)));
  for (let i = 0; i < count; i++) {
    const payload = payloads.subarray(i * length, (i + 1) * length);
    encodeOne(wire, payload, out);
  }
  return out.finish();
}

/** Encodes one payload as a complete frame. */
export function encodeFrame(wire: Wire, payload: Uint8Array): Buffer {
  const out = new Writer(payload.length + maxOverhead(wire, payload.length));
  encodeOne(wire, payload, out);
  return out.finish();
}

function maxOverhead(wire: Wire, length: number): number {
  switch (wire) {
    case 'cobs':
      return Math.ceil(length / 254) + 2;
    case 'slip':
      return length + 1;
    case 'netstring':
      return 22;
    default:
      return 10;
  }
}

class Writer {
  private readonly buf: Buffer;
  at = 0;

  constructor(capacity: number) {
    this.buf = Buffer.allocUnsafeSlow(capacity);
  }

  byte(b: number): void {
    this.buf[this.at++] = b;
  }

  bytes(bytes: Uint8Array): void {
    this.buf.set(bytes, this.at);
    this.at += bytes.length;
  }

  ascii(text: string): void {
    this.at += this.buf.write(text, this.at, 'latin1');
  }

  /** The written bytes in an exactly sized buffer, so the over-allocation is freed. */
  finish(): Buffer {
    if (this.at === this.buf.length) return this.buf;
    const out = Buffer.allocUnsafeSlow(this.at);
    this.buf.copy(out, 0, 0, this.at);
    return out;
  }
}

function encodeOne(wire: Wire, payload: Uint8Array, out: Writer): void {
  const n = payload.length;
  switch (wire) {
    case 'u24be':
      out.byte((n >>> 16) & 0xff);
      out.byte((n >>> 8) & 0xff);
      out.byte(n & 0xff);
      out.bytes(payload);
      return;
    case 'u32be':
      out.byte(n >>> 24);
      out.byte((n >>> 16) & 0xff);
      out.byte((n >>> 8) & 0xff);
      out.byte(n & 0xff);
      out.bytes(payload);
      return;
    case 'u32le':
      out.byte(n & 0xff);
      out.byte((n >>> 8) & 0xff);
      out.byte((n >>> 16) & 0xff);
      out.byte(n >>> 24);
      out.bytes(payload);
      return;
    case 'u64be':
      for (let i = 0; i < 4; i++) out.byte(0);
      out.byte(n >>> 24);
      out.byte((n >>> 16) & 0xff);
      out.byte((n >>> 8) & 0xff);
      out.byte(n & 0xff);
      out.bytes(payload);
      return;
    case 'u64le':
      out.byte(n & 0xff);
      out.byte((n >>> 8) & 0xff);
      out.byte((n >>> 16) & 0xff);
      out.byte(n >>> 24);
      for (let i = 0; i < 4; i++) out.byte(0);
      out.bytes(payload);
      return;
    case 'varint': {
      let v = n;
      while (v >= 0x80) {
        out.byte((v & 0x7f) | 0x80);
        v >>>= 7;
      }
      out.byte(v);
      out.bytes(payload);
      return;
    }
    case 'ascii:10':
      out.ascii(String(n).padEnd(10, ' '));
      out.bytes(payload);
      return;
    case 'netstring':
      out.ascii(`${n}:`);
      out.bytes(payload);
      out.byte(0x2c);
      return;
    case 'line':
      out.bytes(payload);
      out.byte(0x0a);
      return;
    case 'crlf':
    case 'delim:0d0a':
      out.bytes(payload);
      out.byte(0x0d);
      out.byte(0x0a);
      return;
    case 'nul':
      out.bytes(payload);
      out.byte(0x00);
      return;
    case 'cobs':
      cobs(payload, out);
      out.byte(0x00);
      return;
    case 'slip':
      slip(payload, out);
      out.byte(0xc0);
      return;
  }
}

/** COBS (Cheshire & Baker): blocks of up to 254 non-zero bytes, each led by its length + 1. */
function cobs(payload: Uint8Array, out: Writer): void {
  let start = 0;
  const n = payload.length;
  for (;;) {
    let end = start;
    while (end < n && end - start < 254 && payload[end] !== 0) end++;
    out.byte(end - start + 1);
    out.bytes(payload.subarray(start, end));
    if (end === n) return;
    // A full 254-byte block implies no zero; a shorter one ends at a zero, which it implies.
    start = end - start === 254 ? end : end + 1;
  }
}

/** RFC 1055 SLIP: END (0xC0) and ESC (0xDB) inside the payload are escaped. */
function slip(payload: Uint8Array, out: Writer): void {
  for (const b of payload) {
    if (b === 0xc0) {
      out.byte(0xdb);
      out.byte(0xdc);
    } else if (b === 0xdb) {
      out.byte(0xdb);
      out.byte(0xdd);
    } else {
      out.byte(b);
    }
  }
}
