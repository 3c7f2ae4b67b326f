/**
 * Fitting the tests to what a strategy can carry. The tests use payloads that every default
 * strategy takes; a strategy that takes fewer bytes (`ascii:1` carries at most 9) or refuses a
 * byte of the text (`delim:20`: a space ends the frame) is measured with payloads it does take,
 * and the report says so in its notes.
 *
 * @module
 */
import type { FramingStrategy } from '@framewire/chunk-buffer';
import { tryEncode } from './overhead.js';
import { formatSize } from './view.js';

// Bytes written in place of a text byte the encoder refuses, in order of preference: none of
// them occurs in the generated text, so a replaced byte never looks like another one.
const REPLACEMENTS = [0x5f, 0x2d, 0x7e, 0x7c, 0x5e, 0x2b, 0x3d];

// The bytes before a position that decide whether the encoder refuses the byte there: a
// delimiter up to this long is found. Longer ones are still caught by the final check.
const WINDOW = 64;

/** Text a strategy carries, and what was replaced to get it. */
export interface CarriedText {
  /** The text: the same length as the one asked for. */
  bytes: Uint8Array;
  /** Each byte the encoder refused where it stood, and the byte written in its place. */
  replaced: ReadonlyMap<number, number>;
}

/**
 * `text` with each byte the encoder refuses where it stands (a delimiter byte, the last byte
 * of a delimiter sequence) replaced by `_` (or the next of `- ~ | ^ + =` it accepts there).
 * Every prefix of the result is accepted too, so tests that encode the first bytes of a text
 * can use it. `undefined` when `text` is longer than the strategy carries or no replacement
 * helps. Other bytes are left as they are, and `text` itself is not modified.
 */
export function carriableText(strategy: FramingStrategy, text: Uint8Array): CarriedText | undefined {
  if (text.length > strategy.maxFrameLength) return undefined;
  const out = text.slice();
  const window = Math.min(WINDOW, strategy.maxFrameLength);
  const replaced = new Map<number, number>();
  const accepted = (at: number): boolean => tryEncode(strategy, out.subarray(Math.max(0, at + 1 - window), at + 1)).ok;
  for (let at = 0; at < out.length; at++) {
    if (accepted(at)) continue;
    const original = out[at]!;
    let replacement: number | undefined;
    for (const candidate of REPLACEMENTS) {
      out[at] = candidate;
      if (accepted(at)) {
        replacement = candidate;
        break;
      }
    }
    if (replacement === undefined) return undefined;
    if (!replaced.has(original)) replaced.set(original, replacement);
  }
  return tryEncode(strategy, out).ok ? { bytes: out, replaced } : undefined;
}

/** A byte for people: `'a' (61)`, `space (20)`, `0d`. */
export function describeByte(byte: number): string {
  const hex = byte.toString(16).padStart(2, '0');
  if (byte === 0x20) return `space (${hex})`;
  if (byte > 0x20 && byte < 0x7f) return `'${String.fromCharCode(byte)}' (${hex})`;
  return hex;
}

function listOf(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]!}`;
}

/**
 * How the tests of one strategy were fitted to what it carries: the report's notes on it.
 * Measurements record here what they changed; recording the same thing twice (one test in
 * several rounds) gives one note.
 */
export class Fitting {
  readonly #name: string;
  readonly #shortened = new Map<string, string>();
  readonly #replaced = new Map<string, Map<number, number>>();
  readonly #refused = new Map<string, Set<number>>();

  /** @param name The strategy's name, as the notes call it. */
  constructor(name: string) {
    this.#name = name;
  }

  /** `test` ran with shorter payloads than usual; `how` says which (`payloads of at most 9 bytes`). */
  shortened(test: string, how: string): void {
    this.#shortened.set(test, how);
  }

  /** `test` used text with these bytes replaced (see {@link carriableText}). */
  replaced(test: string, replaced: ReadonlyMap<number, number>): void {
    if (replaced.size === 0) return;
    const bytes = this.#replaced.get(test) ?? new Map<number, number>();
    for (const [original, replacement] of replaced) if (!bytes.has(original)) bytes.set(original, replacement);
    this.#replaced.set(test, bytes);
  }

  /** `test` has no figure for `size`: its text payloads hold bytes the encoder refuses. */
  refused(test: string, size: number): void {
    const sizes = this.#refused.get(test) ?? new Set<number>();
    sizes.add(size);
    this.#refused.set(test, sizes);
  }

  /** The notes, one sentence each; none when every test ran as documented. */
  notes(): string[] {
    const name = this.#name;
    const notes = [...this.#shortened].map(([test, how]) => `${test}: ${how}, the most ${name} carries`);
    // One note for the tests whose text had the same bytes replaced.
    const byReplacement = new Map<string, string[]>();
    for (const [test, bytes] of this.#replaced) {
      const sorted = [...bytes].sort((a, b) => a[0] - b[0]);
      const pairs = sorted.map(([original, replacement]) => `${describeByte(original)} written as ${describeByte(replacement)}`);
      const how = `text with ${listOf(pairs)}, where ${name} refuses ${pairs.length === 1 ? 'it' : 'them'}`;
      byReplacement.set(how, [...(byReplacement.get(how) ?? []), test]);
    }
    for (const [how, tests] of byReplacement) notes.push(`${listOf(tests)}: ${how}`);
    for (const [test, sizes] of this.#refused) {
      const shown = [...sizes].sort((a, b) => a - b).map(formatSize);
      notes.push(`${test}: — for ${listOf(shown)}: the text payloads hold bytes ${name} refuses`);
    }
    return notes;
  }
}
