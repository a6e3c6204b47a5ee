import { type Endpoint, endpoint, endpointIp } from './address';
import { NAT_FIRST_EXTERNAL_PORT } from './constants';

/**
 * NAT behaviours (RFC 4787 terms: mapping and filtering).
 * - `open`: no NAT; the peer's own endpoint takes any inbound packet.
 * - `full-cone`: endpoint-independent mapping and filtering: once the peer has sent anything,
 *   its one external port takes packets from anyone.
 * - `address-restricted`: endpoint-independent mapping, address-dependent filtering: inbound only
 *   from IPs the peer has sent to.
 * - `port-restricted`: endpoint-independent mapping, address-and-port-dependent filtering:
 *   inbound only from exact endpoints the peer has sent to.
 * - `symmetric`: address-and-port-dependent mapping: a new external port per destination, each
 *   taking packets only from that destination.
 */
export type NatType = 'open' | 'full-cone' | 'address-restricted' | 'port-restricted' | 'symmetric';

export const NAT_TYPES: readonly NatType[] = [
  'open',
  'full-cone',
  'address-restricted',
  'port-restricted',
  'symmetric',
];

/**
 * The NAT box in front of one peer. Mappings do not expire during a run (see README).
 */
export class NatState {
  readonly type: NatType;
  /** The NAT's public IP (the peer's own IP when `open`). */
  readonly ip: number;
  /** The peer's local port behind the NAT. */
  readonly localPort: number;
  private nextPort = NAT_FIRST_EXTERNAL_PORT;
  /** Cone NATs: the one external port, once assigned. */
  private conePort = -1;
  /** address-restricted: IPs sent to; port-restricted: endpoints sent to. */
  private readonly permitted = new Set<number>();
  /** symmetric: destination -> external port, and back. */
  private readonly byDestination = new Map<Endpoint, number>();
  private readonly byPort = new Map<number, Endpoint>();

  constructor(type: NatType, ip: number, localPort: number) {
    this.type = type;
    this.ip = ip;
    this.localPort = localPort;
  }

  /** The source endpoint a packet from the peer to `destination` carries on the public side;
   *  records the mapping and filter state this creates. */
  outbound(destination: Endpoint): Endpoint {
    switch (this.type) {
      case 'open':
        return endpoint(this.ip, this.localPort);
      case 'full-cone':
        return endpoint(this.ip, this.cone());
      case 'address-restricted':
        this.permitted.add(endpointIp(destination));
        return endpoint(this.ip, this.cone());
      case 'port-restricted':
        this.permitted.add(destination);
        return endpoint(this.ip, this.cone());
      case 'symmetric': {
        let port = this.byDestination.get(destination);
        if (port === undefined) {
          port = this.nextPort++;
          this.byDestination.set(destination, port);
          this.byPort.set(port, destination);
        }
        return endpoint(this.ip, port);
      }
    }
  }

  /** Whether a packet from `source` to public port `port` reaches the peer. */
  accepts(port: number, source: Endpoint): boolean {
    switch (this.type) {
      case 'open':
        return port === this.localPort;
      case 'full-cone':
        return this.conePort >= 0 && port === this.conePort;
      case 'address-restricted':
        return (
          this.conePort >= 0 && port === this.conePort && this.permitted.has(endpointIp(source))
        );
      case 'port-restricted':
        return this.conePort >= 0 && port === this.conePort && this.permitted.has(source);
      case 'symmetric':
        return this.byPort.get(port) === source;
    }
  }

  /** Whether `port` is one this box answers on at all (its listen port or a mapping). */
  owns(port: number): boolean {
    if (this.type === 'open') return port === this.localPort;
    if (this.type === 'symmetric') return this.byPort.has(port);
    return port === this.conePort;
  }

  private cone(): number {
    if (this.conePort < 0) this.conePort = this.nextPort++;
    return this.conePort;
  }
}
