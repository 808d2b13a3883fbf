import { createBuffer, SenderOptions, type SenderBuffer } from '@questdb/nodejs-client';
import type { AcceptedEvent, SchedulerStatus } from '@scrapewatch/protocol';
import { escapeQuoted, escapeUnquoted, IlpEncoder, type IlpRowSink } from '../../src/storage/ilp';
import { ILP_PROTOCOL_VERSION } from '../../src/storage/questdb';
import { encodeRows, writeRows } from '../../src/storage/rows';
import { writeRowsV1 } from './fixtures/v1-rows';

// The collector's encoder must write exactly the bytes of the client's buffer: the same rows go
// through both and the bytes are compared, for randomized events full of characters ILP escapes.

function clientBuffer(): SenderBuffer {
  return createBuffer(
    new SenderOptions(`http::addr=127.0.0.1:9;protocol_version=${ILP_PROTOCOL_VERSION}`),
  );
}

function clientBytes(events: readonly AcceptedEvent[], receivedAtMs: number): Buffer {
  const buffer = clientBuffer();
  writeRows(buffer, events, receivedAtMs);
  return buffer.toBufferNew() ?? Buffer.alloc(0);
}

/** mulberry32: a seeded generator, so a failure names a seed that reproduces it. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  'a',
  'Z',
  '0',
  ' ',
  ',',
  '=',
  '"',
  "'",
  '\\',
  '\\\\',
  '\n',
  '\r',
  '\r\n',
  '\t',
  '\0',
  '}',
  '~',
  '[',
  ']',
  '^',
  '_',
  '/',
  '?',
  '&',
  'é',
  'ß',
  'Ω',
  '日本語',
  '🕷️',
  '👩‍💻',
  '😀',
  '\u2028',
  '\ufeff',
  '\ud800',
  '\udfff',
  'shop.example.com',
  'https://',
];

function generator(seed: number) {
  const next = random(seed);
  const int = (max: number): number => Math.floor(next() * max);
  const pick = <T>(values: readonly T[]): T => values[int(values.length)] as T;
  const text = (maxPieces = 8): string => {
    let out = '';
    const pieces = 1 + int(maxPieces);
    for (let i = 0; i < pieces; i++) out += pick(PIECES);
    return out;
  };
  const absentOrNull = <T>(value: () => T): T | null | undefined => {
    const roll = next();
    return roll < 0.25 ? undefined : roll < 0.5 ? null : value();
  };
  const epochMs = (): number =>
    pick([
      0,
      1,
      1702214400000,
      1702214400000.5,
      1702214400000 + 0.0004,
      1702214400123.456,
      8_640_000_000_000_000,
      2 ** 43 + 0.5,
      int(2_000_000_000_000) + next(),
    ]);
  const duration = (): number =>
    pick([0, 1, 150, 10.5, 0.1 + 0.2, 1e-7, 123456789.125, 1e21, next() * 1e6]);
  const url = (): string =>
    pick([
      () =>
        `https://${pick(['shop', 'WWW.Shop', 'xn--bcher-kva', '127.0.0.1:8080'])}.example.com/${text()}`,
      () => text(),
      () => `mailto:${text()}`,
    ])();
  const event = (i: number): AcceptedEvent => {
    const eventId = `${text(3)}-${i}`;
    switch (int(3)) {
      case 0:
        return {
          type: 'page_navigation',
          scraperSource: text(),
          url: url(),
          navigationDurationMs: duration(),
          retryCount: int(10),
          success: next() < 0.5,
          error: absentOrNull(() => text(12)),
          recordedAt: epochMs(),
          statusCode: absentOrNull(() => 100 + int(500)),
          bytes: absentOrNull(() => pick([0, int(1 << 30), 2 ** 53 - 1])),
          errorClass: absentOrNull(() => text(3)),
          runId: absentOrNull(() => text(4)),
          eventId,
          blockReason: absentOrNull(() => text(3)),
        };
      case 1:
        return {
          type: 'page_scrape',
          scraperSource: text(),
          url: url(),
          scrapeDurationMs: duration(),
          itemsExtracted: pick([0, int(1000), 2 ** 31]),
          success: next() < 0.5,
          error: absentOrNull(() => text(12)),
          recordedAt: epochMs(),
          errorClass: absentOrNull(() => text(3)),
          runId: absentOrNull(() => text(4)),
          eventId,
        };
      default: {
        const statusOrSuccess = pick<{ status?: SchedulerStatus; success?: boolean }>([
          { status: pick<SchedulerStatus>(['success', 'failed', 'missed', 'skipped']) },
          { success: next() < 0.5 },
          { status: 'success', success: true },
        ]);
        const scheduledAt = epochMs();
        return {
          type: 'scheduler_run',
          schedulerName: text(),
          jobName: text(),
          scraperSource: absentOrNull(() => text()),
          durationMs: duration(),
          ...statusOrSuccess,
          scrapersRun: next() < 0.5 ? undefined : int(100),
          error: absentOrNull(() => text(12)),
          errorClass: absentOrNull(() => text(3)),
          scheduledAt,
          startedAt: next() < 0.3 ? null : scheduledAt + pick([0, 0.5, 1500.25, next() * 1e5]),
          recordedAt: epochMs(),
          runId: absentOrNull(() => text(4)),
          eventId,
        };
      }
    }
  };
  return { event, epochMs, int };
}

describe('ILP text encoder', () => {
  it('writes the bytes of the client buffer for randomized rows of every kind', () => {
    const seeds = [1, 2, 3, 42, 2026, 0xdecafbad];
    let rows = 0;
    for (const seed of seeds) {
      const gen = generator(seed);
      for (let batch = 0; batch < 40; batch++) {
        const events = Array.from({ length: 1 + gen.int(60) }, (_, i) => gen.event(i));
        const receivedAtMs = gen.epochMs();
        const ours = encodeRows(events, receivedAtMs);
        const theirs = clientBytes(events, receivedAtMs);
        if (!ours.equals(theirs)) {
          // The first differing row, for a readable failure.
          const a = ours.toString('utf8').split('\n');
          const b = theirs.toString('utf8').split('\n');
          const at = a.findIndex((line, i) => line !== b[i]);
          throw new Error(
            `seed ${seed}, batch ${batch}, row ${at}:\n ours:   ${JSON.stringify(a[at])}\n client: ${JSON.stringify(b[at])}`,
          );
        }
        rows += events.length;
      }
    }
    expect(rows).toBeGreaterThan(5_000);
  });

  it('writes, from the event registry, the bytes of the hand-written mapping (version 1 plus the version-3 columns)', () => {
    let rows = 0;
    for (const seed of [7, 99, 2027]) {
      const gen = generator(seed);
      for (let batch = 0; batch < 40; batch++) {
        const events = Array.from({ length: 1 + gen.int(60) }, (_, i) => gen.event(i));
        const receivedAtMs = gen.epochMs();
        const v1 = new IlpEncoder();
        writeRowsV1(v1, events, receivedAtMs);
        expect(encodeRows(events, receivedAtMs).toString('utf8')).toBe(
          v1.toBuffer().toString('utf8'),
        );
        rows += events.length;
      }
    }
    expect(rows).toBeGreaterThan(2_000);
  });

  it('grows past its first buffer, and a reused encoder never changes bytes it handed out', () => {
    const small = new IlpEncoder(16);
    const theirs = clientBuffer();
    const long = `${'x'.repeat(5_000)}é"🕷️`;
    for (const rows of [small, theirs] as IlpRowSink[]) {
      rows.table('grow');
      rows.symbol('s', 'a b');
      rows.stringColumn('v', long);
      rows.intColumn('n', -123_456_789);
      rows.at(1_700_000_000_000_000, 'us');
    }
    const first = small.toBuffer();
    expect(first.toString('utf8')).toBe(theirs.toBufferNew()?.toString('utf8'));
    const copy = Buffer.from(first);
    small.reset();
    small.table('other');
    small.booleanColumn('b', true);
    small.at(1, 'us');
    small.table('open');
    small.symbol('s', 'left open');
    expect(small.toBuffer().toString('utf8')).toBe('other b=t 1000\n');
    expect(first.equals(copy)).toBe(true);
    const events = generator(5).event(0);
    expect(encodeRows([events], 0).equals(encodeRows([events], 0))).toBe(true);
  });

  it('escapes what the client escapes and nothing else', () => {
    expect(escapeUnquoted('a b,c=d\\e\nf\rg"h\ti')).toBe('a\\ b\\,c\\=d\\\\e\\\nf\\\rg"h\ti');
    expect(escapeQuoted('a b,c=d\\e\nf\rg"h\ti')).toBe('a b,c=d\\\\e\\\nf\\\rg\\"h\ti');
    expect(escapeUnquoted('plain-ünïcødé-🕷️')).toBe('plain-ünïcødé-🕷️');
  });

  it('matches the client on edge values of every column type', () => {
    const write = (rows: IlpRowSink, i: number, value: number): void => {
      rows.table('edge_values');
      rows.symbol('s', `v${i}`);
      rows.floatColumn('f', value);
      rows.intColumn('i', Number.isInteger(value) ? value : 0);
      rows.booleanColumn('b', i % 2 === 0);
      rows.timestampColumn('t', Number.isInteger(value) ? value : 0, 'us');
      rows.at(Number.isInteger(value) ? value : 1, 'us');
    };
    const values = [
      0,
      -0,
      1,
      -1,
      0.1,
      -2.5e-8,
      1e21,
      -1e21,
      2 ** 53 - 1,
      2 ** 53 + 2,
      2 ** 60,
      8_640_000_000_000_000 * 1000,
      Number.MAX_VALUE,
      Number.MIN_VALUE,
      Number.NaN,
      Number.POSITIVE_INFINITY,
    ];
    const ours = new IlpEncoder();
    const theirs = clientBuffer();
    values.forEach((value, i) => {
      write(ours, i, value);
      write(theirs, i, value);
    });
    expect(ours.toBuffer().toString('utf8')).toBe(theirs.toBufferNew()?.toString('utf8'));
  });

  it('refuses what the client refuses, leaving no half row behind', () => {
    const ours = new IlpEncoder();
    ours.table('t');
    ours.symbol('s', 'x');
    expect(() => ours.intColumn('i', 1.5)).toThrow();
    expect(() => ours.timestampColumn('t', 1.5, 'us')).toThrow();
    expect(() => ours.at(Number.NaN, 'us')).toThrow();
    expect(() => ours.stringColumn('s', 1 as unknown as string)).toThrow();
    const theirs = clientBuffer();
    theirs.table('t').symbol('s', 'x');
    expect(() => theirs.intColumn('i', 1.5)).toThrow();
    expect(ours.toBuffer()).toHaveLength(0);
    const bad = {
      type: 'page_scrape',
      scraperSource: 'x',
      url: 'u',
      scrapeDurationMs: 1,
      itemsExtracted: 0.5,
      success: true,
      recordedAt: 0,
      eventId: 'e',
    } as const;
    expect(() => encodeRows([bad], 0)).toThrow();
  });
});
