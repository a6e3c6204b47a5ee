import { describe, expect, it } from 'vitest';
import {
  churnScenario,
  dist,
  echoScenario,
  lineChart,
  renderReport,
  runScenario,
  Simulation,
} from '../src/index';

describe('HTML report', () => {
  it('has the latency CDF and delivery-over-time charts, and the numbers', async () => {
    const r = await runScenario(echoScenario, { peers: 30, seed: 1 });
    const html = renderReport(r);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('Latency CDF');
    expect(html).toContain('Delivery over time');
    // One-way latency, messages over time, delivery over time, and the scenario's round trips.
    expect(html.match(/<svg /g)?.length).toBe(4);
    expect(html).toContain('CDF of echo.rttMs');
    expect(html).toContain('echo/request');
    expect(html).not.toMatch(/<script|https?:\/\//);
    expect(html).not.toContain('NaN');
  });

  it('escapes names that come from a scenario', async () => {
    const r = await runScenario(echoScenario, { peers: 5, seed: 1 });
    const html = renderReport({ ...r, scenario: '<img src=x onerror=alert(1)>' });
    expect(html).not.toContain('<img');
    expect(html).toContain('&#60;img');
  });

  it('a chart with no data says so instead of drawing nothing', () => {
    expect(lineChart('Empty', 'x', 'y', [])).toContain('no data');
  });

  it('a sample set of another magnitude gets its own chart instead of squashing the latency CDF', async () => {
    const r = await runScenario(churnScenario, { peers: 20, seed: 1 });
    const html = renderReport(r);
    const charts = html.split('<figure>').slice(1);
    const latency = charts.find((c) => c.includes('Latency CDF'))!;
    // Session lengths (tens of seconds) are not on the one-way latency chart.
    expect(latency).not.toContain('peers.sessionMs');
    expect(charts.some((c) => c.includes('CDF of peers.sessionMs'))).toBe(true);
    // Every chart names its axes with units and has a legend.
    for (const c of charts) {
      expect(c).toMatch(/class="legend"/);
      expect(c).toMatch(/\((ms|s|%)\)|per second/);
    }
  });

  it('packets still on their way when the run ends do not count as lost in delivery over time', async () => {
    const sim = new Simulation({ seed: 1, network: { link: { latency: dist.constant(100) } } });
    const [a, b] = sim.addPeers(2);
    b!.handle('x', () => undefined);
    for (let t = 0; t < 1_000; t += 10) sim.at(t, () => a!.send(b!, 'x', new Uint8Array(1)));
    await sim.run({ until: 1_000 });
    const o = sim.metrics.snapshot().overTime;
    const sent = o.sent.reduce((x, y) => x + y, 0);
    const settled = [...o.deliveredBySendTime, ...o.droppedBySendTime].reduce((x, y) => x + y, 0);
    expect(sent - settled).toBe(9); // sent at 910..990 ms, due after the end
    expect(o.droppedBySendTime.every((v) => v === 0)).toBe(true);
    // The chart's ratio is over settled packets: 100% everywhere, no dip at the end.
    const html = renderReport({
      scenario: 'x',
      seed: 1,
      peers: 2,
      simTimeMs: sim.now(),
      events: sim.eventCount,
      metrics: sim.metrics.snapshot(),
      result: {},
    });
    const delivery = html.split('<figure>').find((c) => c.includes('Delivery over time'))!;
    const line = /<polyline points="([^"]+)"/.exec(delivery)![1]!;
    const ys = new Set(line.split(' ').map((p) => p.split(',')[1]));
    expect(ys.size).toBe(1);
  });
});
