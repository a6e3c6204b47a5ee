import { type Address, MAX_ADDRESS_LENGTH, ValidationError } from '@p2pe/transport-interfaces';

/**
 * An endpoint (IPv4 address and port) packed in one number, `ip * 65536 + port`, so it is a cheap
 * map key. 48 bits fit a double exactly.
 */
export type Endpoint = number;

export function endpoint(ip: number, port: number): Endpoint {
  return ip * 65536 + port;
}

export function endpointIp(e: Endpoint): number {
  return Math.floor(e / 65536);
}

export function endpointPort(e: Endpoint): number {
  return e % 65536;
}

export function formatIp(ip: number): string {
  return `${(ip >>> 24) & 255}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`;
}

/** `sim:<a.b.c.d>:<port>`. */
export function formatEndpoint(e: Endpoint): Address {
  return `sim:${formatIp(endpointIp(e))}:${endpointPort(e)}`;
}

const ENDPOINT_RE = /^sim:(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3}):(\d{1,5})$/;
const PEER_RE = /^sim:(\d{1,7})$/;

/**
 * Parses `sim:<a.b.c.d>:<port>` to an endpoint, or `sim:<peerId>` to `{ peer }` (the peer's own
 * listening endpoint, which only an open peer can be reached at). Throws `SIM_INVALID_ADDRESS`.
 */
export function parseAddress(address: Address): { endpoint: Endpoint } | { peer: number } {
  if (typeof address !== 'string' || address.length > MAX_ADDRESS_LENGTH) {
    throw new ValidationError(
      'SIM_INVALID_ADDRESS',
      `expected a sim address of at most ${MAX_ADDRESS_LENGTH} characters`,
    );
  }
  const peer = PEER_RE.exec(address);
  if (peer !== null) return { peer: Number(peer[1]) };
  const m = ENDPOINT_RE.exec(address);
  if (m === null) {
    throw new ValidationError(
      'SIM_INVALID_ADDRESS',
      `expected "sim:<ip>:<port>" or "sim:<peer>", got length=${address.length}`,
    );
  }
  const parts = m.slice(1, 6).map(Number);
  const [a, b, c, d, port] = parts as [number, number, number, number, number];
  if (a > 255 || b > 255 || c > 255 || d > 255 || port > 65535) {
    throw new ValidationError('SIM_INVALID_ADDRESS', 'address octet or port out of range');
  }
  return { endpoint: endpoint(((a << 24) >>> 0) + (b << 16) + (c << 8) + d, port) };
}
