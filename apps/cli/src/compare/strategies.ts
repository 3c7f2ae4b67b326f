/**
 * Which strategies `framewire compare` measures, and under which names.
 *
 * @module
 */
import type { FramingStrategy } from '@framewire/chunk-buffer';
import { UsageError } from '../errors.js';
import { FRAMING_NAMES, resolveFraming } from '../framing.js';

/**
 * The strategies compared by default: every row of the design's strategy table except `raw`,
 * with the parameterised ones as the instances people use most (the tutorial's 10-character
 * ASCII header, a CRLF delimiter).
 */
export const DEFAULT_COMPARED: readonly string[] = Object.freeze([
  'u8',
  'u16be',
  'u16le',
  'u24be',
  'u32be',
  'u32le',
  'u64be',
  'u64le',
  'varint',
  'ascii:10',
  'netstring',
  'line',
  'crlf',
  'nul',
  'delim:0d0a',
  'cobs',
  'slip',
]);

/** A strategy under comparison. */
export interface ComparedStrategy {
  /** The name as in the design's table: `u32be`, `ascii:W`, `delim:HEX`. */
  readonly name: string;
  /** The exact instance measured: `u32be`, `ascii:10`, `delim:0d0a`. */
  readonly instance: string;
  /** The package it comes from. */
  readonly package: '@framewire/header' | '@framewire/footer';
  /** The configured strategy (default maximum frame length). */
  readonly strategy: FramingStrategy;
}

const HEADER_BASE_NAMES = new Set(['u8', 'u16be', 'u16le', 'u24be', 'u32be', 'u32le', 'u64be', 'u64le', 'varint', 'netstring']);

/** The design-table name of an instance: `ascii:10` → `ascii:W`, `delim:0d0a` → `delim:HEX`. */
export function tableName(instance: string): string {
  if (instance.startsWith('ascii:')) return 'ascii:W';
  if (instance.startsWith('delim:')) return 'delim:HEX';
  return instance;
}

/**
 * Resolves instances (`u32be`, `ascii:8`, `delim:00ff`…) through the CLI's framing registry.
 * Throws a {@link UsageError} for an unknown name, for `raw` (it has no frames to compare),
 * for an empty list and for duplicates.
 */
export function resolveCompared(instances: readonly string[]): ComparedStrategy[] {
  if (instances.length === 0) throw new UsageError('--framing needs at least one strategy name');
  const seen = new Set<string>();
  return instances.map((instance) => {
    if (instance === 'raw') {
      throw new UsageError(
        `framing 'raw' cannot be compared: it has no frames (every chunk is passed on as it arrived); compare any of: ${FRAMING_NAMES.filter((n) => n !== 'raw').join(', ')}`,
      );
    }
    if (seen.has(instance)) throw new UsageError(`framing '${instance}' is listed twice in --framing`);
    seen.add(instance);
    const strategy = resolveFraming(instance);
    const name = tableName(instance);
    const pkg = HEADER_BASE_NAMES.has(name) || name === 'ascii:W' ? '@framewire/header' : '@framewire/footer';
    return { name, instance, package: pkg, strategy };
  });
}
