import { readFileSync } from 'node:fs';
import path from 'node:path';
import { EVENT_KINDS, EVENT_REGISTRY } from '@scrapewatch/protocol';
import { SCHEMA_VERSIONS, TABLES } from '../../src/storage/schema';
import { columnVersions, createRawTableSql, rawTableStatements } from '../../src/storage/tables';

// The raw tables are derived from the event registry. Version 1 is applied on existing
// databases, so its statements must stay exactly those it was released with; every column the
// registry adds later must come with the schema version that adds it.
describe('raw tables from the registry', () => {
  it('derives exactly the released version-1 CREATE TABLE statements', () => {
    const released = readFileSync(path.join(__dirname, 'fixtures/raw-tables.v1.sql'), 'utf8');
    expect(`${rawTableStatements(1).join(';\n\n')};\n`).toBe(released);
    expect(SCHEMA_VERSIONS[0]?.statements.slice(0, 3)).toEqual(rawTableStatements(1));
    expect(rawTableStatements(1)).toHaveLength(3);
  });

  it('derives exactly the released version-2 scraper_run table', () => {
    const released = readFileSync(path.join(__dirname, 'fixtures/scraper-run.v2.sql'), 'utf8');
    expect(`${rawTableStatements(2).join(';\n\n')};\n`).toBe(released);
  });

  it('has a schema version running the statements of every version a column was added in', () => {
    for (const version of columnVersions()) {
      const applied = SCHEMA_VERSIONS.find((v) => v.version === version);
      expect([version, applied !== undefined]).toEqual([version, true]);
      for (const statement of rawTableStatements(version))
        expect(applied?.statements).toContain(statement);
    }
  });

  it('makes a column a dedup key in the version its registry entry names, not before', () => {
    const scheduler = EVENT_REGISTRY.scheduler_run;
    expect(createRawTableSql(scheduler, 1)).toContain(
      'DEDUP UPSERT KEYS(ts, event_id, scheduler_name, job_name)',
    );
    expect(createRawTableSql(scheduler, 3)).toContain(
      'DEDUP UPSERT KEYS(ts, event_id, scheduler_name, job_name)',
    );
    expect(rawTableStatements(3).join('\n')).not.toContain('DEDUP ENABLE');
    expect(createRawTableSql(scheduler, 4)).toContain(
      'DEDUP UPSERT KEYS(ts, event_id, scheduler_name, job_name, scraper)',
    );
    expect(rawTableStatements(4)).toEqual([
      'ALTER TABLE scheduler_run DEDUP ENABLE UPSERT KEYS(ts, event_id, scheduler_name, job_name, scraper)',
    ]);
  });

  it('names each kind its registry table', () => {
    for (const kind of EVENT_KINDS) expect(TABLES[kind]).toBe(EVENT_REGISTRY[kind].table);
  });

  it('adds a later column with ALTER TABLE, never as a key', () => {
    const spec = EVENT_REGISTRY.page_scrape;
    const extended = {
      ...spec,
      columns: [...spec.columns, { name: 'blocked', type: 'BOOLEAN', field: 'success', since: 2 }],
    } as const;
    expect(createRawTableSql(extended, 1)).toBe(createRawTableSql(spec, 1));
    expect(createRawTableSql(extended, 2)).toContain('  blocked BOOLEAN\n)');
  });
});
