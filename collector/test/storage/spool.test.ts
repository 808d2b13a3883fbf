import { appendFileSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { testQuestDB } from '@scrapewatch/questdb';
import { ScrapewatchError } from '@scrapewatch/protocol';
import { pollUntil } from '@scrapewatch/testkit';
import { encodeRows } from '../../src/storage/rows';
import {
  createSpool,
  decodeFrames,
  encodeFrame,
  FRAME_HEADER_BYTES,
} from '../../src/storage/spool';
import {
  countsByEventId,
  makeStorage,
  metricValue,
  seedEvents,
  silentLogger,
  tempDir,
  uniqueName,
} from './helpers';

const HOUR_MS = 3_600_000;
/** A QuestDB URL nobody listens on: every write is spooled. */
const DEAD_HTTP = 'http://127.0.0.1:9';
const DEAD_PG = 'postgresql://admin:quest@127.0.0.1:9/qdb';

function record(text: string, rows = 1) {
  return { bytes: Buffer.from(text), rows };
}

describe('spool framing', () => {
  it('decodes what it encodes and stops at a torn or corrupt frame', () => {
    const a = encodeFrame(record('t a=1i 1\n'));
    const b = encodeFrame(record('t a=2i 2\n', 1));
    const whole = Buffer.concat([a, b]);
    expect(decodeFrames(whole).records.map((r) => r.bytes.toString())).toEqual([
      't a=1i 1\n',
      't a=2i 2\n',
    ]);
    expect(decodeFrames(whole.subarray(0, whole.length - 3))).toMatchObject({
      validBytes: a.length,
    });
    expect(decodeFrames(whole.subarray(0, a.length + 5))).toMatchObject({ validBytes: a.length });
    const flipped = Buffer.from(whole);
    const at = a.length + FRAME_HEADER_BYTES + 2;
    flipped.writeUInt8(flipped.readUInt8(at) ^ 0xff, at);
    expect(decodeFrames(flipped).records).toHaveLength(1);
    const rowsForged = Buffer.from(whole);
    rowsForged.writeUInt32BE(99, a.length + 4);
    expect(decodeFrames(rowsForged).records).toHaveLength(1);
  });
});

describe('spool on disk', () => {
  const tmp = tempDir('spool-unit');
  afterAll(() => tmp.remove());

  it('appends durably, bounds its size, reopens, seals and removes segments', async () => {
    const dir = path.join(tmp.dir, 'a');
    const spool = createSpool({ dir, maxBytes: 256, segmentMaxBytes: 64 }, silentLogger);
    await spool.open();
    expect(spool.isEmpty).toBe(true);
    const frame = FRAME_HEADER_BYTES + 40;
    const results = await spool.append([
      record('x'.repeat(40)),
      record('y'.repeat(40)),
      record('z'.repeat(40)),
    ]);
    expect(results).toEqual(['spooled', 'spooled', 'spooled']);
    expect(spool.bytes).toBe(3 * frame);
    // 3 x 56 = 168 bytes used; another 116 would pass 256.
    // The first segment passed 64 bytes: 'v' and 'u' go to a second one.
    expect(await spool.append([record('w'.repeat(100)), record('v')])).toEqual(['full', 'spooled']);
    await spool.append([record('u')]);
    await spool.close();

    const again = createSpool({ dir, maxBytes: 256, segmentMaxBytes: 64 }, silentLogger);
    await again.open();
    expect(again.bytes).toBe(3 * frame + 2 * (FRAME_HEADER_BYTES + 1));
    const segments = await again.seal();
    expect(segments.length).toBe(2);
    const contents = await Promise.all(segments.map((s) => again.read(s)));
    expect(contents.flatMap((c) => c.records.map((r) => r.bytes.toString()))).toEqual([
      'x'.repeat(40),
      'y'.repeat(40),
      'z'.repeat(40),
      'v',
      'u',
    ]);
    for (const s of segments) await again.remove(s);
    expect(again.isEmpty).toBe(true);
    expect(readdirSync(dir)).toEqual(['spool.lock']);
    await again.close();
    // The lock file stays: the lock is the kernel's, held on an open descriptor, not the file.
    expect(readdirSync(dir)).toEqual(['spool.lock']);
  });

  it('holds room for reserved records: they always fit, and others count it against the bound', async () => {
    const dir = path.join(tmp.dir, 'reserve');
    const spool = createSpool({ dir, maxBytes: 200 }, silentLogger);
    await spool.open();
    const frame = FRAME_HEADER_BYTES + 40;
    // Room for three frames of 56 bytes (168), not four (224).
    expect(spool.reserve(40)).toBe(true);
    expect(spool.reserve(40)).toBe(true);
    expect(spool.reserve(40)).toBe(true);
    expect(spool.reserve(40)).toBe(false);
    // Nothing on disk yet, but an unreserved record finds the room taken.
    expect(spool.bytes).toBe(0);
    expect(await spool.append([record('n'.repeat(40))])).toEqual(['full']);
    // Reserved records are appended into their own room.
    expect(
      await spool.append([
        { ...record('a'.repeat(40)), roomHeld: true },
        { ...record('b'.repeat(40)), roomHeld: true },
      ]),
    ).toEqual(['spooled', 'spooled']);
    expect(spool.bytes).toBe(2 * frame);
    expect(spool.reserve(40)).toBe(false);
    // A reservation given back (its record went to QuestDB) is room again.
    spool.release(40);
    expect(spool.reserve(40)).toBe(true);
    expect(await spool.append([{ ...record('c'.repeat(40)), roomHeld: true }])).toEqual([
      'spooled',
    ]);
    expect(spool.bytes).toBe(3 * frame);
    expect(spool.bytes).toBeLessThanOrEqual(200);
    await spool.close();
  });

  it('cuts a torn tail off when it opens', async () => {
    const dir = path.join(tmp.dir, 'b');
    const spool = createSpool({ dir, maxBytes: 1 << 20 }, silentLogger);
    await spool.open();
    await spool.append([record('a b=1i 1\n'), record('a b=2i 2\n')]);
    await spool.close();
    const [segment] = readdirSync(dir);
    const file = path.join(dir, segment!);
    const goodSize = statSync(file).size;
    // A crash in the middle of an append: half a frame after the good ones.
    appendFileSync(file, encodeFrame(record('a b=3i 3\n')).subarray(0, 20));
    const reopened = createSpool({ dir, maxBytes: 1 << 20 }, silentLogger);
    await reopened.open();
    expect(reopened.bytes).toBe(goodSize);
    expect(statSync(file).size).toBe(goodSize);
    const [only] = await reopened.seal();
    expect((await reopened.read(only!)).records.map((r) => r.bytes.toString())).toEqual([
      'a b=1i 1\n',
      'a b=2i 2\n',
    ]);
    await reopened.close();
  });
});

describe('spool through the storage', () => {
  const { httpUrl, pgUrl } = testQuestDB();
  const tmp = tempDir('spool-storage');
  afterAll(() => tmp.remove());

  it('refuses with SPOOL_FULL and a retry delay when QuestDB is down and the spool is full', async () => {
    const scraper = uniqueName('full');
    const { storage, registry } = makeStorage({
      questdbHttpUrl: DEAD_HTTP,
      questdbPgUrl: DEAD_PG,
      spoolDir: path.join(tmp.dir, 'full'),
      spoolMaxBytes: 4096,
      writeLingerMs: 0,
    });
    await storage.start();
    try {
      expect(await storage.readiness()).toMatchObject({
        ready: false,
        questdb: false,
        schemaVersion: null,
      });
      const events = seedEvents(scraper, 5, Date.now() - HOUR_MS);
      expect(await storage.write(events, Date.now())).toEqual({ durability: 'spooled' });
      let refusal: unknown;
      for (let i = 0; i < 100 && refusal === undefined; i++) {
        await storage.write(events, Date.now()).catch((error: unknown) => {
          refusal = error;
        });
      }
      expect(refusal).toBeInstanceOf(ScrapewatchError);
      expect(refusal).toMatchObject({ code: 'SPOOL_FULL', status: 503 });
      expect((refusal as ScrapewatchError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect((await storage.readiness()).spooledBytes).toBeLessThanOrEqual(4096);
      expect(
        await metricValue(registry, 'scrapewatch_storage_write_failures_total', {
          reason: 'spool_full',
        }),
      ).toBeGreaterThan(0);
    } finally {
      await storage.close();
    }
  });

  it('replays a spool with a torn tail: the good records exactly once, the tail never', async () => {
    const scraper = uniqueName('torn');
    const spoolDir = path.join(tmp.dir, 'torn');
    const offline = makeStorage({
      questdbHttpUrl: DEAD_HTTP,
      questdbPgUrl: DEAD_PG,
      spoolDir,
      writeLingerMs: 0,
    });
    await offline.storage.start();
    const events = seedEvents(scraper, 30, Date.now() - HOUR_MS);
    for (let i = 0; i < 3; i++) {
      expect(await offline.storage.write(events.slice(i * 10, i * 10 + 10), Date.now())).toEqual({
        durability: 'spooled',
      });
    }
    await offline.storage.close();
    const [segment] = readdirSync(spoolDir).filter((f) => f.endsWith('.log'));
    const file = path.join(spoolDir, segment!);
    // The torn tail holds a frame whose rows were never acknowledged.
    const [ghost] = seedEvents(`${scraper}`, 1, Date.now() - HOUR_MS).map((e) => ({
      ...e,
      eventId: `${scraper}-ghost`,
    }));
    const ghostLine = `page_navigation,scraper=${scraper} event_id="${ghost!.eventId}",url="x",duration_ms=1,retry_count=0i,success=t ${BigInt(Date.now()) * 1_000_000n}\n`;
    const torn = encodeFrame(record(ghostLine));
    writeFileSync(file, Buffer.concat([readFileSync(file), torn.subarray(0, torn.length - 4)]));

    const online = makeStorage({ questdbHttpUrl: httpUrl, questdbPgUrl: pgUrl, spoolDir });
    await online.storage.start();
    try {
      await pollUntil(
        'the spool drained',
        async () => (await online.storage.readiness()).spooledBytes,
        (bytes) => bytes === 0,
      );
      const counts = await pollUntil(
        '30 navigations',
        () => countsByEventId(pgUrl, 'page_navigation', 'scraper', [scraper]),
        (m) => m.size >= 30,
      );
      expect(counts.size).toBe(30);
      expect(counts.has(`${scraper}-ghost`)).toBe(false);
      expect([...counts.values()].every((n) => n === 1)).toBe(true);
      expect(await metricValue(online.registry, 'scrapewatch_storage_spool_replays_total')).toBe(3);
      // Drained: new writes go straight to QuestDB again.
      expect(
        await online.storage.write(
          seedEvents(`${scraper}-after`, 1, Date.now() - HOUR_MS),
          Date.now(),
        ),
      ).toEqual({
        durability: 'committed',
      });
    } finally {
      await online.storage.close();
    }
  });

  it('sets aside a spooled record QuestDB refuses, so it never blocks the records around it', async () => {
    const scraper = uniqueName('poison');
    const spoolDir = path.join(tmp.dir, 'poison');
    const [first, second] = [0, 1].map((i) =>
      encodeRows(
        seedEvents(`${scraper}`, 3, Date.now() - HOUR_MS + i * 10_000).map((e) => ({
          ...e,
          eventId: `${e.eventId}-${i}`,
        })),
        Date.now(),
      ),
    );
    const poison = `page_navigation,scraper=${scraper} event_id="${scraper}-poison",duration_ms="slow" ${BigInt(Date.now()) * 1_000_000n}\n`;
    const spool = createSpool({ dir: spoolDir, maxBytes: 1 << 20 }, silentLogger);
    await spool.open();
    await spool.append([{ bytes: first!, rows: 3 }, record(poison), { bytes: second!, rows: 3 }]);
    await spool.close();

    const online = makeStorage({ questdbHttpUrl: httpUrl, questdbPgUrl: pgUrl, spoolDir });
    await online.storage.start();
    try {
      await pollUntil(
        'the spool drained',
        async () => (await online.storage.readiness()).spooledBytes,
        (bytes) => bytes === 0,
      );
      const counts = await pollUntil(
        '6 navigations',
        () => countsByEventId(pgUrl, 'page_navigation', 'scraper', [scraper]),
        (m) => m.size >= 6,
      );
      expect([...counts.keys()].sort()).toEqual(
        [0, 1].flatMap((i) => [0, 1, 2].map((j) => `${scraper}-nav-${j}-${i}`)).sort(),
      );
      const rejected = readdirSync(path.join(spoolDir, 'rejected'));
      expect(rejected).toHaveLength(1);
      expect(readFileSync(path.join(spoolDir, 'rejected', rejected[0]!), 'utf8')).toBe(poison);
      expect(
        await metricValue(online.registry, 'scrapewatch_storage_write_failures_total', {
          reason: 'questdb_rejected',
        }),
      ).toBe(1);
    } finally {
      await online.storage.close();
    }
  });
});
