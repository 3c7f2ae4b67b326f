export { lengthPrefix } from './length-prefix.js';
export type { LengthPrefixOptions, LengthFieldLength, ByteOrder } from './length-prefix.js';
export { u8, u16be, u16le, u24be, u32be, u32le, u64be, u64le } from './presets.js';
export { varint } from './varint.js';
export { ascii } from './ascii.js';
export type { AsciiOptions } from './ascii.js';
export { netstring } from './netstring.js';
export { headerStrategy, HEADER_STRATEGY_NAMES } from './registry.js';
