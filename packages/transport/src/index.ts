/**
 * `@framewire/transport`: raw TCP (IPv4, IPv6), TLS and Unix-socket connections for
 * framewire. Bytes in, bytes out, with backpressure; it knows nothing of frames.
 *
 * @module
 */

export { connect } from './connect.js';
export { listen, type ConnectionHandler, type Server } from './listen.js';
export { READ_INTO, type Connection } from './connection.js';
export {
  formatEndpoint,
  type Endpoint,
  type TcpEndpoint,
  type UnixEndpoint,
} from './endpoint.js';
export type {
  CloseOptions,
  ConnectOptions,
  ListenOptions,
  Pem,
  RecvMemory,
  SocketOptions,
  TlsClientOptions,
  TlsServerOptions,
} from './options.js';
export {
  AbortedError,
  AddressInUseError,
  ConnectionClosedError,
  ConnectionRefusedError,
  ConnectionResetError,
  ConnectTimeoutError,
  HostNotFoundError,
  IdleTimeoutError,
  isTransportError,
  ServerClosedError,
  SocketError,
  SocketNotFoundError,
  TlsCertificateError,
  TlsHandshakeError,
  toTransportError,
  TransportError,
  type ErrorContext,
  type TransportErrorCode,
  type TlsHandshakeErrorOptions,
  type TransportErrorOptions,
} from './errors.js';
