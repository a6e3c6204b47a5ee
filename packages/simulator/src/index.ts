export {
  type Endpoint,
  endpoint,
  endpointIp,
  endpointPort,
  formatEndpoint,
  formatIp,
  parseAddress,
} from './address';
export { parseSimArgs, progressBar, SIM_USAGE, type SimCliOptions } from './cli';
export { SimClock } from './clock';
export {
  DEFAULT_DIAL_TIMEOUT_MS,
  DEFAULT_LISTEN_PORT,
  DEFAULT_MAX_EVENTS,
  MAX_PAYLOAD_BYTES,
  MAX_PEERS,
  MAX_SAMPLE,
  MAX_TRACE_EVENTS,
  STREAM_MAX_RETRANSMIT_MS,
  STREAM_MAX_RETRANSMITS,
  STREAM_MIN_RETRANSMIT_MS,
} from './constants';
export { type Distribution, dist, mean, sample, validateDistribution } from './distribution';
export {
  cdf,
  DROP_REASONS,
  type DropReason,
  Metrics,
  type MetricsSnapshot,
  type ProtocolSnapshot,
  quantile,
  type Summary,
  summarize,
  type TraceEvent,
  type TraceFilter,
} from './metrics';
export { NAT_TYPES, NatState, type NatType } from './nat';
export {
  type Adversary,
  type Datagram,
  DEFAULT_LINK,
  type Interceptor,
  type LinkOptions,
  Network,
  type NetworkOptions,
  Packet,
  type RegionOptions,
  type ResolvedLink,
  type Verdict,
} from './network';
export { type DatagramHandler, type LeaveKind, SimPeer } from './peer';
export { lineChart, renderReport } from './report';
export { SimRandom } from './rng';
export {
  getScenario,
  type RunScenarioOptions,
  runScenario,
  type Scenario,
  type ScenarioContext,
  type ScenarioPlan,
  type SimReport,
} from './scenario';
export {
  adversaryScenario,
  builtinScenarios,
  churnScenario,
  echoScenario,
  natScenario,
  partitionScenario,
  streamEchoScenario,
} from './scenarios/index';
export {
  type ChurnOptions,
  type ChurnStep,
  type PeerOptions,
  type Progress,
  type RunOptions,
  type RunStats,
  Simulation,
  type SimulationOptions,
} from './simulation';
export { SimConnection, type SimDialOptions, SimTransport } from './transport';
