import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import pino from 'pino';
import { Registry } from 'prom-client';
import type { AcceptedEvent } from '@scrapewatch/protocol';
import {
  createStorage,
  DEFAULT_STORAGE_OPTIONS,
  type Storage,
  type StorageOptions,
} from '../../src/storage';

export const silentLogger = pino({ level: 'silent' });

export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), `scrapewatch-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface TestStorage {
  storage: Storage;
  registry: Registry;
}

export function makeStorage(
  overrides: Partial<StorageOptions> &
    Pick<StorageOptions, 'questdbHttpUrl' | 'questdbPgUrl' | 'spoolDir'>,
): TestStorage {
  const registry = new Registry();
  const storage = createStorage(
    {
      ...DEFAULT_STORAGE_OPTIONS,
      spoolReplayIntervalMs: 250,
      questdbTimeoutMs: 5_000,
      ...overrides,
    },
    { logger: silentLogger, registry },
  );
  return { storage, registry };
}

/** Sum of a counter's values (optionally only those whose labels match). */
export async function metricValue(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, want]) => v.labels[k] === want))
    .reduce((sum, v) => sum + v.value, 0);
}

export async function withPg<T>(pgUrl: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: pgUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function sql(
  pgUrl: string,
  text: string,
  params: unknown[] = [],
): Promise<Record<string, unknown>[]> {
  return withPg(
    pgUrl,
    async (client) => (await client.query(text, params)).rows as Record<string, unknown>[],
  );
}

/** Rows per event_id of a table for the given scraper column values. */
export async function countsByEventId(
  pgUrl: string,
  table: string,
  scraperColumn: string,
  names: readonly string[],
): Promise<Map<string, number>> {
  const placeholders = names.map((_, i) => `$${i + 1}`).join(', ');
  const rows = await sql(
    pgUrl,
    `SELECT event_id, count() n FROM ${table} WHERE ${scraperColumn} IN (${placeholders}) GROUP BY event_id`,
    [...names],
  );
  return new Map(rows.map((r) => [String(r.event_id), Number(r.n)]));
}

/** Events in the seed's wire format (page navigation and scrape pairs), with event ids. */
export function seedEvents(
  scraper: string,
  count: number,
  startMs: number,
  stepMs = 1_000,
): AcceptedEvent[] {
  const events: AcceptedEvent[] = [];
  for (let i = 0; i < count; i++) {
    const recordedAt = startMs + i * stepMs;
    events.push({
      type: 'page_navigation',
      scraperSource: scraper,
      url: `https://${scraper}.example.com/stocks/S${i}`,
      navigationDurationMs: 150 + i,
      retryCount: i % 3,
      success: i % 4 !== 0,
      error: i % 4 !== 0 ? null : 'net::ERR_TIMED_OUT',
      recordedAt,
      eventId: `${scraper}-nav-${i}`,
    });
  }
  return events;
}
