/** Byte helpers shared by the properties: comparison and readable hex for failure messages. */

/** True if `a` and `b` hold the same bytes. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** True if the two lists hold the same byte arrays in the same order. */
export function framesEqual(a: readonly Uint8Array[], b: readonly Uint8Array[]): boolean {
  return a.length === b.length && a.every((frame, i) => bytesEqual(frame, b[i]!));
}

/** Hex dump for messages (`0a 0d c0`), cut after `max` bytes with the full length shown. */
export function hex(bytes: Uint8Array, max = 48): string {
  const shown = Array.from(bytes.subarray(0, max), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return bytes.length > max ? `${shown} … (${bytes.length} bytes)` : `[${shown}]`;
}

/** A list of frames for messages: `2 frames: [68 69], []`. */
export function describeFrames(frames: readonly Uint8Array[], max = 8): string {
  const shown = frames.slice(0, max).map((frame) => hex(frame, 24));
  const more = frames.length > max ? `, … ${frames.length - max} more` : '';
  return `${frames.length} frame${frames.length === 1 ? '' : 's'}${frames.length > 0 ? ': ' : ''}${shown.join(', ')}${more}`;
}

/** Any thrown value as one line: `RangeError: …`, or its string form. */
export function describeThrown(thrown: unknown): string {
  if (thrown instanceof Error) return `${thrown.name}: ${thrown.message}`;
  if (typeof thrown === 'object' && thrown !== null) return `a non-error object (${Object.prototype.toString.call(thrown)})`;
  return String(thrown);
}

/** `length` bytes, each `byte`. */
export function filled(length: number, byte: number): Uint8Array {
  return new Uint8Array(length).fill(byte);
}
