/**
 * Limits and defaults of the simulator, each with the reason for its value.
 */

/** Upper bound on peers in one simulation. A peer takes about 2.5 KB of heap before the run
 *  (measured with `echo`: a million peers hold 2.4 GiB once set up), so a million peers are
 *  near Node's default heap limit of about 4 GiB; beyond that a run is a mistake rather than an
 *  experiment. */
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

/** Each further retransmission of a stream segment waits twice as long as the one before, up to
 *  this: the maximum retransmission timeout of Linux (RFC 6298 §2.5 asks for at least 60 s). */
export const STREAM_MAX_RETRANSMIT_MS = 120_000;

/** Retransmissions of one stream segment before the connection is reset: Linux's default
 *  `tcp_retries2` (RFC 1122 §4.2.3.5 asks for at least 100 s worth). With the limits above, a
 *  link that loses everything resets a connection after about 13 minutes of virtual time. */
export const STREAM_MAX_RETRANSMITS = 15;

/** A dial sends its connection request again at this interval until it gets an answer: enough
 *  tries inside the dial timeout that a hole punched by the other side is found. */
export const DIAL_RETRY_INTERVAL_MS = 250;

/** A dial with no answer (filtered by a NAT, dropped, partitioned) fails after this long. */
export const DEFAULT_DIAL_TIMEOUT_MS = 5_000;

/** Largest value a distribution sample takes (2^53 - 1 ms, about 285,000 years): a heavy tail or
 *  a huge sigma is clamped here, so no event is ever scheduled at t = Infinity. */
export const MAX_SAMPLE = Number.MAX_SAFE_INTEGER;

/** Trace entries kept at most: a trace switched on for a busy peer must not eat the heap. */
export const MAX_TRACE_EVENTS = 100_000;

/** Delivery-over-time buckets in the metrics: enough resolution for a chart, bounded size. */
export const DELIVERY_BUCKETS = 100;

/** Points of the latency CDF exported in metrics and drawn in the report. */
export const CDF_POINTS = 101;

/** Largest payload one datagram or stream chunk may carry: above this a scenario is likely
 *  passing the wrong buffer, and a simulated link should not copy it. */
export const MAX_PAYLOAD_BYTES = 16 * 1024 * 1024;
