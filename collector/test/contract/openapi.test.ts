import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ERRORS,
  ERROR_CODES,
  EVENT_KINDS,
  validateEvents,
  wireSchemas,
  type AcceptedEvent,
  type HistoryResponse,
} from '@scrapewatch/protocol';
import { startCollector, sql, type RunningCollector } from '../e2e/harness';
import { COLLECTOR_VERSION } from '../../src/version';

// The API contract: GET /v1/openapi.json describes the running collector, and a bounded
// property-based run of schemathesis (pinned in tools/schemathesis) against it, with a real
// QuestDB behind, finds no 5xx, no undocumented status or body (every 4xx carries a code its
// status documents), and nothing invalid in storage afterwards.

const ROOT = path.resolve(__dirname, '../../..');
const TOKEN = 'contract-token-0123456789abcdef';

interface OpenApi {
  openapi: string;
  info: { version: string };
  paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
  components: { schemas: Record<string, Record<string, unknown>> };
}

let c: RunningCollector;
let st: string;

beforeAll(async () => {
  // Installs on first use (PyPI), then reuses the virtual environment; .ci/run installs it up front.
  st = execFileSync(path.join(ROOT, 'tools/schemathesis/install.sh'), {
    encoding: 'utf8',
    timeout: 600_000,
  }).trim();
  c = await startCollector({
    env: { SCRAPEWATCH_INGEST_TOKENS: TOKEN, SCRAPEWATCH_STREAM_TOKENS: TOKEN },
  });
}, 660_000);

afterAll(async () => {
  await c?.close();
});

async function document(): Promise<OpenApi> {
  const res = await fetch(`${c.url}/v1/openapi.json`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return (await res.json()) as OpenApi;
}

describe('GET /v1/openapi.json', () => {
  it('is an OpenAPI 3.1 document of every HTTP endpoint, its event bodies from the registry', async () => {
    const doc = await document();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.version).toBe(COLLECTOR_VERSION);
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'collector/package.json'), 'utf8')) as {
      version: string;
    };
    expect(COLLECTOR_VERSION).toBe(pkg.version);
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        '/healthz',
        '/metrics',
        '/readyz',
        '/v1/history',
        '/v1/metrics',
        '/v1/openapi.json',
        '/v1/scrapers',
      ].sort(),
    );
    const described = wireSchemas({ describe: true });
    expect(doc.components.schemas['PageNavigation']).toEqual(described.page_navigation);
    expect(doc.components.schemas['PageScrape']).toEqual(described.page_scrape);
    expect(doc.components.schemas['SchedulerRun']).toEqual(described.scheduler_run);
  });

  it('documents, for each error status, exactly the codes that carry it', async () => {
    const doc = await document();
    for (const code of ERROR_CODES) {
      const status = (ERRORS[code] as { status?: number }).status;
      if (status === undefined) continue;
      const schema = doc.components.schemas[`Error${String(status)}`] as {
        properties: { error: { properties: { code: { enum: string[] } } } };
      };
      expect([code, schema.properties.error.properties.code.enum]).toEqual([
        code,
        expect.arrayContaining([code]),
      ]);
    }
  });
});

describe('schemathesis against a running collector and QuestDB', () => {
  it('finds no server error, undocumented status or body, and nothing invalid is stored', async () => {
    const startedUs = Date.now() * 1000;
    const reports = mkdtempSync(path.join(os.tmpdir(), 'scrapewatch-schemathesis-'));
    const args = [
      'run',
      `${c.url}/v1/openapi.json`,
      '--checks',
      'not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance',
      '--phases',
      'examples,coverage,fuzzing',
      '--max-examples',
      '15',
      '--seed',
      '20261130',
      '--workers',
      '1',
      '--request-timeout',
      '20',
      '--max-time',
      '90',
      '--header',
      `Authorization: Bearer ${TOKEN}`,
      '--report',
      'junit',
      '--report-dir',
      reports,
    ];
    const { code, output } = await new Promise<{ code: number; output: string }>((resolve) => {
      execFile(
        st,
        args,
        {
          cwd: reports,
          timeout: 240_000,
          maxBuffer: 32 * 1024 * 1024,
          env: { ...process.env, NO_COLOR: '1' },
        },
        (error, stdout, stderr) =>
          resolve({
            code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
            output: `${stdout}\n${stderr}`,
          }),
      );
    });
    rmSync(reports, { recursive: true, force: true });
    if (code !== 0)
      throw new Error(`schemathesis failed (exit ${code}):\n${output.slice(-12_000)}`);
    // It did test the API: at least the operations and the ingest examples.
    expect(output).toMatch(/postMetrics|POST \/v1\/metrics/);

    // Every event stored during the run reads back as a valid event.
    let stored = 0;
    for (const kind of EVENT_KINDS) {
      // One row per (event id, scraper, domain): a re-sent id with another URL is another row.
      const rows = await sql(`SELECT event_id FROM ${kind} WHERE received_at >= ${startedUs}`);
      const ids = new Set(rows.map((row) => String(row[0])));
      if (rows.length === 0) continue;
      const res = await fetch(
        `${c.url}/v1/history?kind=${kind}&from=0&to=${Date.now() + 3_600_000}&limit=100000`,
        { headers: { authorization: `Bearer ${TOKEN}` } },
      );
      expect(res.status).toBe(200);
      const body = (await res.json()) as HistoryResponse;
      const events = body.events.filter((event: AcceptedEvent) => ids.has(event.eventId));
      expect(events).toHaveLength(rows.length);
      for (const event of events) {
        const result = validateEvents([event], { nowMs: event.recordedAt });
        expect([event, result.ok]).toEqual([event, true]);
      }
      stored += events.length;
    }
    // The request examples (one of each kind) were accepted and stored.
    expect(stored).toBeGreaterThanOrEqual(EVENT_KINDS.length);
  }, 300_000);
});
