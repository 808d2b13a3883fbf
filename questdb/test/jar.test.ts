import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureJar, QUESTDB_VERSION } from '../src';

// The jar comes from Maven Central through Maven (quick once ~/.m2 holds it).
describe('fetching the QuestDB jar', () => {
  const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'scrapewatch-jar-'));
  afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

  it('leaves the jar in the cache and nothing else, no staging folder', () => {
    const jar = ensureJar(cacheDir);
    expect(jar).toBe(path.join(cacheDir, `questdb-${QUESTDB_VERSION}.jar`));
    expect(readdirSync(cacheDir)).toEqual([`questdb-${QUESTDB_VERSION}.jar`]);
  }, 300_000);

  it('leaves no staging folder when Maven fails either', () => {
    const broken = path.join(cacheDir, 'broken');
    // A Maven that runs but fetches nothing: the jar stays missing.
    expect(() => ensureJar(broken, { ...process.env, MAVEN_CMD: 'true' })).toThrow(
      /could not fetch/,
    );
    expect(readdirSync(broken)).toEqual([]);
  });
});
