/**
 * Socket addresses, structured and as the one-line strings used in logs and errors.
 *
 * @module
 */

/** A TCP address. */
export interface TcpEndpoint {
  readonly family: 'IPv4' | 'IPv6';
  /** The IP address (`127.0.0.1`, `::1`). */
  readonly host: string;
  readonly port: number;
}

/** A Unix domain socket address. */
export interface UnixEndpoint {
  readonly family: 'unix';
  /** The socket path; empty for the unnamed end of a connection (the client's side). */
  readonly path: string;
}

/** Where a socket is bound or connected: TCP or Unix. */
export type Endpoint = TcpEndpoint | UnixEndpoint;

/**
 * `127.0.0.1:54276`, `[::1]:54276`, a socket path, or `unix socket` for the unnamed end of
 * a Unix connection.
 */
export function formatEndpoint(endpoint: Endpoint): string {
  if (endpoint.family === 'unix') return endpoint.path === '' ? 'unix socket' : endpoint.path;
  return formatHostPort(endpoint.host, endpoint.port);
}

/** `host:port`, with IPv6 addresses in brackets (`[::1]:80`). */
export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** A TCP endpoint from Node's address fields; undefined when the socket has none (closed). */
export function tcpEndpoint(
  family: string | undefined,
  host: string | undefined,
  port: number | undefined,
): TcpEndpoint | undefined {
  if (host === undefined || port === undefined) return undefined;
  return Object.freeze({ family: family === 'IPv6' || host.includes(':') ? 'IPv6' : 'IPv4', host, port });
}

/** A Unix endpoint for `path`. */
export function unixEndpoint(path: string): UnixEndpoint {
  return Object.freeze({ family: 'unix', path });
}
