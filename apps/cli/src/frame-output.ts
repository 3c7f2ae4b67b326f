/**
 * How received frames are printed on stdout: one per line as text, as JSON or as hex.
 *
 * @module
 */
import { Buffer, isUtf8 } from 'node:buffer';
import { bytesText, type FrameEncoder } from '@framewire/chunk-buffer';
import { CliError, toError } from './errors.js';

/** Output format of frames: the raw bytes (text), `--json` or `--hex`. */
export type FrameFormat = 'text' | 'json' | 'hex';

/** A frame as printed by `--json`: `text` when the payload is valid UTF-8, else `base64`. */
export type JsonFrame =
  | { index: number; length: number; text: string }
  | { index: number; length: number; base64: string };

/** The {@link JsonFrame} for a frame (`index` counts from 0). */
export function jsonFrame(index: number, frame: Uint8Array): JsonFrame {
  const bytes = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
  return isUtf8(bytes)
    ? { index, length: frame.length, text: bytes.toString('utf8') }
    : { index, length: frame.length, base64: bytes.toString('base64') };
}

const NEWLINE = Buffer.from('\n');

/**
 * The stdout bytes for one frame, as parts (the payload is not copied in text mode): the
 * payload followed by `\n` for text; one JSON line; or one line of lowercase hex.
 */
export function formatFrame(format: FrameFormat, index: number, frame: Uint8Array): Uint8Array[] {
  switch (format) {
    case 'text':
      return [frame, NEWLINE];
    case 'json':
      return [Buffer.from(`${JSON.stringify(jsonFrame(index, frame))}\n`)];
    case 'hex':
      return [Buffer.from(`${Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength).toString('hex')}\n`)];
  }
}

/** The frame format selected by `--json` / `--hex` options. */
export function frameFormatOf(options: { json?: boolean; hex?: boolean }): FrameFormat {
  if (options.json === true) return 'json';
  if (options.hex === true) return 'hex';
  return 'text';
}

/** A short, printable preview of a frame for logs: `"hello"` or `<1048576 bytes, binary>`. */
export function previewFrame(frame: Uint8Array, maxChars = 60): string {
  const bytes = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
  if (!isUtf8(bytes)) return `<${bytesText(frame.length)}, binary>`;
  // Decode only the start of a large frame (a cut character shows as U+FFFD and is sliced off).
  const text = bytes.subarray(0, maxChars * 4).toString('utf8');
  const shown = text.length > maxChars ? `${text.slice(0, maxChars)}…` : text;
  return JSON.stringify(shown);
}

/**
 * The frame parts of `payload`, or a {@link CliError} naming it (`what`: `input line 2`,
 * `message 1`, `--welcome`) and showing its start when the framing cannot carry it:
 * `input line 2 "bad…": payload contains the delimiter 0a…`.
 */
export function encodeNamed(encoder: FrameEncoder, payload: Uint8Array, what: string): Uint8Array[] {
  try {
    return encoder.encode(payload);
  } catch (error) {
    throw new CliError(`${what} ${previewFrame(payload)}: ${toError(error).message}`, { cause: error });
  }
}
