export { ChunkBuffer, isUint8Array } from './chunk-buffer.js';
export {
  FramingError,
  FrameTooLargeError,
  MalformedHeaderError,
  MalformedFrameError,
  TruncatedFrameError,
  UnencodablePayloadError,
  isFramingError,
  bytesText,
} from './errors.js';
export type { FramingErrorCode, FramingErrorOptions } from './errors.js';
export {
  DEFAULT_MAX_FRAME_LENGTH,
  READ_INTO,
  resolveMaxFrameLength,
  encodeFrame,
  concatBytes,
} from './framing.js';
export type { FrameDecoder, FrameEncoder, FramingOptions, FramingStrategy, ReadMemory, ReadsInto } from './framing.js';
export {
  Deframer,
  decodeFrames,
  decodeFramesAsync,
  createDecoderStream,
  createEncoderStream,
} from './deframer.js';
export type { DeframerOptions, DecodeFramesAsyncOptions, ChunkSource } from './deframer.js';
export { keepWarm } from './warm.js';
export { indexOfByte } from './index-of-byte.js';
