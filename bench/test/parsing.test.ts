import { decodeSentAt, encodeSentAt, navigationEvent } from '../src/events';
import { parseBenchOptions } from '../src/options';
import { promSample } from '../src/prometheus';
import { validateEvents } from '@scrapewatch/protocol';

describe('promSample', () => {
  const text = [
    '# HELP process_resident_memory_bytes Resident memory size in bytes.',
    '# TYPE process_resident_memory_bytes gauge',
    'process_resident_memory_bytes 123456789',
    'nodejs_heap_size_used_bytes 4567',
    'nodejs_heap_size_used_bytes_total{kind="x"} 99',
    'scrapewatch_subscribers{channel="a"} 7 1700000000000',
  ].join('\n');

  it('reads plain and labelled samples, ignoring comments and longer names', () => {
    expect(promSample(text, 'process_resident_memory_bytes')).toBe(123_456_789);
    expect(promSample(text, 'nodejs_heap_size_used_bytes')).toBe(4_567);
    expect(promSample(text, 'scrapewatch_subscribers')).toBe(7);
    expect(promSample(text, 'missing_metric')).toBeUndefined();
  });
});

describe('send-time stamps', () => {
  it('round-trips through runId with sub-millisecond precision and falls back to recordedAt', () => {
    expect(decodeSentAt({ runId: encodeSentAt(1_700_000_000_123.456) })).toBeCloseTo(
      1_700_000_000_123.456,
      3,
    );
    expect(decodeSentAt({ runId: 'other', recordedAt: 42 })).toBe(42);
    expect(decodeSentAt({})).toBeUndefined();
  });

  it('stamps events the collector accepts', () => {
    const now = Date.now();
    const events = [0, 1, 20].map((sequence) =>
      navigationEvent({ scraper: 'bench-x', sequence, recordedAt: now, sentAtMs: now + 0.5 }),
    );
    const result = validateEvents(events, { nowMs: now });
    expect(result.ok ? [] : result.details).toEqual([]);
  });
});

describe('parseBenchOptions', () => {
  it('has bounded defaults and names the flag of a bad value', () => {
    const options = parseBenchOptions([], '/repo');
    expect(options?.subscribers).toBe(1_000);
    expect(options?.eventsPerSecond).toBe(10_000);
    expect(options?.batchSize).toBe(500);
    expect(options?.memorySubscribers).toEqual([1_000, 10_000]);
    expect(options?.out).toBe('/repo/bench/results.json');
    expect(() => parseBenchOptions(['--rate', 'fast'], '/repo')).toThrow(/--rate/);
    expect(() => parseBenchOptions(['--only', 'ingest,nope'], '/repo')).toThrow(/nope/);
    expect(parseBenchOptions(['--help'], '/repo')).toBeUndefined();
  });

  it('reads the dashboard scenario, its search and the Centrifugo switch', () => {
    const defaults = parseBenchOptions([], '/repo');
    expect(defaults?.only.has('dashboard')).toBe(true);
    expect(defaults?.dashboardSubscribers).toBe(100);
    expect(defaults?.dashboardRates).toEqual([1_000, 5_000, 10_000]);
    expect(defaults?.searchProbes).toBe(3);
    expect(defaults?.centrifugo).toBe(true);
    expect(defaults?.tickMs).toBeUndefined();
    const options = parseBenchOptions(
      [
        '--dashboard-rates',
        '7000,2000',
        '--dashboard-sides',
        'collector,ws',
        '--tick-ms',
        '0',
        '--no-centrifugo',
        '--search-probes',
        '0',
      ],
      '/repo',
    );
    expect(options?.dashboardRates).toEqual([2_000, 7_000]);
    expect([...(options?.dashboardSides ?? [])]).toEqual(['collector', 'ws']);
    expect(options?.tickMs).toBe(0);
    expect(options?.centrifugo).toBe(false);
    expect(options?.searchProbes).toBe(0);
    expect(() => parseBenchOptions(['--dashboard-sides', 'nats'], '/repo')).toThrow(/nats/);
  });

  it('takes sizes from flags', () => {
    const options = parseBenchOptions(
      [
        '--subscribers',
        '10000',
        '--rate',
        '20000',
        '--only',
        'fanout,slow',
        '--wildcard',
        '--memory-subscribers',
        '10000,500',
      ],
      '/repo',
    );
    expect(options?.subscribers).toBe(10_000);
    expect(options?.eventsPerSecond).toBe(20_000);
    expect([...(options?.only ?? [])]).toEqual(['fanout', 'slow']);
    expect(options?.wildcard).toBe(true);
    expect(options?.memorySubscribers).toEqual([500, 10_000]);
  });
});
