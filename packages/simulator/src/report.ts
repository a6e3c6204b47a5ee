import type { SimReport } from './scenario';

const W = 640;
const H = 300;
const M = { left: 56, right: 16, top: 30, bottom: 44 };
const COLORS = ['#2563eb', '#16a34a', '#dc2626', '#9333ea', '#ea580c', '#0891b2'];

interface Series {
  name: string;
  points: readonly (readonly [number, number])[];
  color: string;
  /** Fill the area under the line. */
  area?: boolean;
  step?: boolean;
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** "Nice" tick values covering [min, max]. */
function ticks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step)
    out.push(Math.round(v * 1e9) / 1e9);
  return out;
}

function fmt(v: number): string {
  if (Math.abs(v) >= 10_000) return `${Math.round(v / 1000)}k`;
  if (Math.abs(v) >= 1_000) return `${Math.round(v / 100) / 10}k`;
  return String(Math.round(v * 100) / 100);
}

/** One line chart as an SVG string: axes, grid, labelled ticks, a legend. */
export function lineChart(
  title: string,
  xLabel: string,
  yLabel: string,
  series: readonly Series[],
  yMax?: number,
  xLimit?: number,
): string {
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return `<p class="empty">${esc(title)}: no data</p>`;
  const xMin = Math.min(...all.map((p) => p[0]), 0);
  const xMax = xLimit ?? Math.max(...all.map((p) => p[0]), xMin + 1);
  const yTop = yMax ?? Math.max(...all.map((p) => p[1]), 1) * 1.05;
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const sx = (x: number): number => M.left + ((Math.min(x, xMax) - xMin) / (xMax - xMin)) * pw;
  const sy = (y: number): number => M.top + ph - (y / yTop) * ph;
  const parts: string[] = [];
  parts.push(`<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}">`);
  for (const t of ticks(0, yTop)) {
    const y = sy(t).toFixed(1);
    parts.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${y}" y2="${y}" class="grid"/>`);
    parts.push(
      `<text x="${M.left - 6}" y="${y}" class="tick" text-anchor="end" dominant-baseline="middle">${fmt(t)}</text>`,
    );
  }
  for (const t of ticks(xMin, xMax, 8)) {
    const x = sx(t).toFixed(1);
    parts.push(`<line x1="${x}" x2="${x}" y1="${M.top}" y2="${M.top + ph}" class="grid"/>`);
    parts.push(
      `<text x="${x}" y="${M.top + ph + 16}" class="tick" text-anchor="middle">${fmt(t)}</text>`,
    );
  }
  parts.push(`<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" class="frame"/>`);
  for (const s of series) {
    if (s.points.length === 0) continue;
    const pts: string[] = [];
    s.points.forEach(([x, y], i) => {
      if (s.step && i > 0) pts.push(`${sx(x).toFixed(1)},${sy(s.points[i - 1]![1]).toFixed(1)}`);
      pts.push(`${sx(x).toFixed(1)},${sy(y).toFixed(1)}`);
    });
    if (s.area === true) {
      const first = s.points[0]!;
      const last = s.points[s.points.length - 1]!;
      parts.push(
        `<polygon points="${sx(first[0]).toFixed(1)},${sy(0).toFixed(1)} ${pts.join(' ')} ${sx(last[0]).toFixed(1)},${sy(0).toFixed(1)}" fill="${s.color}" fill-opacity="0.15"/>`,
      );
    }
    parts.push(
      `<polyline points="${pts.join(' ')}" fill="none" stroke="${s.color}" stroke-width="2" stroke-linejoin="round"/>`,
    );
  }
  series.forEach((s, i) => {
    const x = M.left + i * 150;
    parts.push(`<rect x="${x}" y="8" width="12" height="12" fill="${s.color}" rx="2"/>`);
    parts.push(`<text x="${x + 18}" y="18" class="legend">${esc(s.name)}</text>`);
  });
  parts.push(
    `<text x="${M.left + pw / 2}" y="${H - 6}" class="label" text-anchor="middle">${esc(xLabel)}</text>`,
  );
  parts.push(
    `<text x="14" y="${M.top + ph / 2}" class="label" text-anchor="middle" transform="rotate(-90 14 ${M.top + ph / 2})">${esc(yLabel)}</text>`,
  );
  parts.push('</svg>');
  return `<figure><figcaption>${esc(title)}</figcaption>${parts.join('')}</figure>`;
}

function bytes(n: number): string {
  if (n >= 1024 * 1024 * 1024) return `${(n / 1024 ** 3).toFixed(1)} GiB`;
  if (n >= 1024 * 1024) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024).toFixed(1)} KiB`;
}

/** Sample sets drawn as CDF charts at most, besides the one-way latency. */
const MAX_SAMPLE_CHARTS = 6;

/** A CDF chart of one sample set; the x axis ends a little past the 99th percentile, so one
 *  long tail does not squash the curve against the y axis. */
function cdfChart(
  title: string,
  xLabel: string,
  name: string,
  points: readonly (readonly [number, number])[],
  color: string,
): string {
  const p99 = points[Math.floor((points.length - 1) * 0.99)]?.[0] ?? 0;
  const cut = points.some(([v]) => v > p99 * 1.25);
  return lineChart(
    title,
    cut ? `${xLabel}; axis cut at 1.25 × the 99th percentile` : xLabel,
    'share of samples (%)',
    [{ name, points: points.map(([v, q]) => [v, q * 100]), color }],
    100,
    cut ? Math.max(1, p99 * 1.25) : undefined,
  );
}

function table(rows: readonly (readonly (string | number)[])[], head: readonly string[]): string {
  const h = head.map((c) => `<th>${esc(String(c))}</th>`).join('');
  const b = rows
    .map((r) => `<tr>${r.map((c) => `<td>${esc(String(c))}</td>`).join('')}</tr>`)
    .join('');
  return `<table><thead><tr>${h}</tr></thead><tbody>${b}</tbody></table>`;
}

/**
 * An HTML page for one run: the latency CDF (one-way, and each sample set the scenario recorded,
 * such as round-trip times), delivery over time, and the numbers behind them. Self-contained:
 * hand-made SVG, no script, no external resource.
 */
export function renderReport(report: SimReport): string {
  const m = report.metrics;
  // One CDF per chart: sample sets of other magnitudes (round trips with retries, session
  // lengths) would squash the one-way latency against the y axis.
  const cdfCharts = [
    cdfChart(
      'Latency CDF',
      'one-way latency of delivered packets (ms)',
      'one-way latency',
      m.latencyCdf,
      COLORS[0]!,
    ),
    ...Object.entries(m.sampleCdfs)
      .filter(([name, pts]) => /ms$/i.test(name) && pts.length > 0)
      .slice(0, MAX_SAMPLE_CHARTS)
      .map(([name, pts], i) =>
        cdfChart(`CDF of ${name}`, `${name} (ms)`, name, pts, COLORS[(i + 1) % COLORS.length]!),
      ),
  ];
  const b = m.overTime.bucketMs;
  const used = m.overTime.sent.length;
  // The last bucket may end after the run did: it spans only up to the end of the run.
  const end = Math.min(used * b, Math.max(report.simTimeMs, (used - 1) * b + 1));
  const width = (i: number): number => Math.min(b, end - i * b);
  // Step series: a point at the start of each bucket, and one where the last bucket ends.
  const steps = (values: readonly (number | undefined)[]): [number, number][] => {
    const out: [number, number][] = [];
    values.forEach((v, i) => {
      if (v !== undefined) out.push([(i * b) / 1000, v]);
    });
    const last = out[out.length - 1];
    if (last !== undefined) out.push([end / 1000, last[1]]);
    return out;
  };
  const rate = (arr: readonly number[]): [number, number][] =>
    steps(arr.map((v, i) => (v * 1000) / width(i)));
  // Delivery ratio of the packets sent in each bucket, among those whose fate was known when
  // the run ended (packets still on their way are left out; so are buckets with none settled).
  const ratio = steps(
    m.overTime.sent.map((_, i) => {
      const delivered = m.overTime.deliveredBySendTime[i] ?? 0;
      const settled = delivered + (m.overTime.droppedBySendTime[i] ?? 0);
      return settled > 0 ? (100 * delivered) / settled : undefined;
    }),
  );
  const drops = Object.entries(m.messages.dropped).filter(([, v]) => v > 0);
  const protoRows = Object.entries(m.protocols).map(([name, p]) => [
    name,
    p.sent,
    p.delivered,
    Object.values(p.dropped).reduce((a, c) => a + c, 0),
    p.bytesSent,
    p.latencyMs.p50,
    p.latencyMs.p99,
  ]);
  const sampleRows = Object.entries(m.samples).map(([k, s]) => [
    k,
    s.count,
    s.p50,
    s.p90,
    s.p99,
    s.max,
  ]);
  const counterRows = Object.entries(m.counters).map(([k, v]) => [k, v]);
  const resultRows = Object.entries(report.result).map(([k, v]) => [k, String(v)]);
  const title = `Simulation: ${report.scenario}, ${report.peers} peers, seed ${report.seed}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;color:#111827;max-width:1360px;margin:24px auto;padding:0 16px}
h1{font-size:20px;margin:0 0 4px} .sub{color:#6b7280;margin:0 0 16px}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin-bottom:16px}
.card{border:1px solid #e5e7eb;border-radius:8px;padding:8px 14px;min-width:120px}
.card b{display:block;font-size:20px} .card span{color:#6b7280;font-size:12px}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(560px,1fr));gap:16px}
figure{margin:0;border:1px solid #e5e7eb;border-radius:8px;padding:8px}
figcaption{font-weight:600;margin:0 0 4px 8px}
svg{width:100%;height:auto} .grid{stroke:#e5e7eb} .frame{fill:none;stroke:#9ca3af}
.tick{font-size:11px;fill:#6b7280} .label{font-size:12px;fill:#374151} .legend{font-size:12px;fill:#111827}
table{border-collapse:collapse;margin:8px 16px 16px 0;display:inline-table;vertical-align:top}
td,th{border-bottom:1px solid #e5e7eb;padding:3px 10px;text-align:right} td:first-child,th:first-child{text-align:left}
h2{font-size:16px;margin:20px 0 4px}
</style></head><body>
<h1>${esc(title)}</h1>
<p class="sub">${esc(`${report.events.toLocaleString('en-US')} events, ${(report.simTimeMs / 1000).toFixed(1)} s of virtual time`)}</p>
<div class="cards">
<div class="card"><b>${m.messages.sent.toLocaleString('en-US')}</b><span>messages sent</span></div>
<div class="card"><b>${(m.messages.deliveryRatio * 100).toFixed(2)}%</b><span>delivered</span></div>
<div class="card"><b>${fmt(m.latencyMs.p50)} ms</b><span>median one-way latency</span></div>
<div class="card"><b>${fmt(m.latencyMs.p99)} ms</b><span>99th percentile one-way latency</span></div>
<div class="card"><b>${bytes(m.bytes.sent)}</b><span>bytes sent</span></div>
</div>
<div class="charts">
${cdfCharts[0]}
${lineChart('Messages over time', 'virtual time (s)', 'messages per second', [
  { name: 'sent', points: rate(m.overTime.sent), color: COLORS[0]!, step: true },
  {
    name: 'delivered',
    points: rate(m.overTime.delivered),
    color: COLORS[1]!,
    area: true,
    step: true,
  },
  { name: 'dropped', points: rate(m.overTime.dropped), color: COLORS[2]!, step: true },
])}
${lineChart('Delivery over time', 'virtual time the packets were sent (s)', 'delivered (%)', [{ name: 'share of the packets sent then that arrived (those still on their way at the end left out)', points: ratio, color: COLORS[1]!, area: true, step: true }], 100)}
${cdfCharts.slice(1).join('\n')}
</div>
<h2>Numbers</h2>
${table(protoRows, ['protocol', 'sent', 'delivered', 'dropped', 'bytes sent', 'p50 ms', 'p99 ms'])}
${drops.length > 0 ? table(drops, ['dropped because', 'packets']) : ''}
${sampleRows.length > 0 ? table(sampleRows, ['sample', 'count', 'p50', 'p90', 'p99', 'max']) : ''}
${counterRows.length > 0 ? table(counterRows, ['counter', 'value']) : ''}
${resultRows.length > 0 ? table(resultRows, ['result', 'value']) : ''}
</body></html>
`;
}
