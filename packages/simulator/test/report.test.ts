import { describe, expect, it } from 'vitest';
import { echoScenario, lineChart, renderReport, runScenario } from '../src/index';

describe('HTML report', () => {
  it('has the latency CDF and delivery-over-time charts, and the numbers', async () => {
    const r = await runScenario(echoScenario, { peers: 30, seed: 1 });
    const html = renderReport(r);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('Latency CDF');
    expect(html).toContain('Delivery over time');
    expect(html.match(/<svg /g)?.length).toBe(3);
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
});
