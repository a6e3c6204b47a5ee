/**
 * Limits and defaults of the simulator, each with the reason for its value.
 */

/** Upper bound on peers in one simulation: per-peer state is a few hundred bytes, so a million
 *  peers stay within a few GiB; beyond that a run is a mistake rather than an experiment. */
export const MAX_PEERS = 1_000_000;

/** Upper bound on events one `run` processes unless the caller raises it: stops a scenario that
 *  schedules itself forever (a timer loop with no end) instead of hanging the process. */
export const DEFAULT_MAX_EVENTS = 100_000_000;

/** The port every simulated peer listens and sends on (one socket per peer, as with port reuse),
 *  so NAT mappings made by outgoing traffic are the ones hole punching relies on. */
export const DEFAULT_LISTEN_PORT = 4000;

/** First external port a NAT hands out; ports below stay for listeners. */
export const NAT_FIRST_EXTERNAL_PORT = 20_000;

/** Stream segments lost on a link come back after a retransmission delay of at least this much:
 *  the common minimum retransmission timeout of TCP stacks (Linux uses 200 ms). */
export const STREAM_MIN_RETRANSMIT_MS = 200;

/** A dial sends its connection request again at this interval until it gets an answer: enough
 *  tries inside the dial timeout that a hole punched by the other side is found. */
export const DIAL_RETRY_INTERVAL_MS = 250;

/** A dial with no answer (filtered by a NAT, dropped, partitioned) fails after this long. */
export const DEFAULT_DIAL_TIMEOUT_MS = 5_000;

/** Trace entries kept at most: a trace switched on for a busy peer must not eat the heap. */
export const MAX_TRACE_EVENTS = 100_000;

/** Delivery-over-time buckets in the metrics: enough resolution for a chart, bounded size. */
export const DELIVERY_BUCKETS = 100;

/** Points of the latency CDF exported in metrics and drawn in the report. */
export const CDF_POINTS = 101;

/** Largest payload one datagram or stream chunk may carry: above this a scenario is likely
 *  passing the wrong buffer, and a simulated link should not copy it. */
export const MAX_PAYLOAD_BYTES = 16 * 1024 * 1024;
