import { readFileSync } from 'node:fs';
import path from 'node:path';
import { testQuestDB } from '../src';

// The worker spin settings for a server sharing its cores live in three places: the base
// server.conf (development server, tests, benchmarks), the QDB_* variables of docker-compose.yml
// (the image ignores our server.conf) and, through the harness, the running test server. They
// must say the same thing.
const ROOT = path.resolve(__dirname, '..', '..');
const SPIN_KEY = /^([a-z.]+\.worker\.(?:yield|nap|sleep)\.threshold)=(\d+)$/;

function spinSettings(): Map<string, string> {
  const conf = readFileSync(path.join(ROOT, 'questdb', 'conf', 'server.conf'), 'utf8');
  const settings = new Map<string, string>();
  for (const line of conf.split('\n')) {
    const match = SPIN_KEY.exec(line.trim());
    if (match?.[1] && match[2]) settings.set(match[1], match[2]);
  }
  return settings;
}

const envName = (key: string): string => `QDB_${key.replace(/\./g, '_').toUpperCase()}`;

describe('QuestDB settings for shared cores', () => {
  const settings = spinSettings();

  it('lowers the nap and sleep thresholds of every busy worker pool', () => {
    for (const worker of ['shared', 'http', 'pg', 'wal.apply', 'mat.view.refresh']) {
      expect(Number(settings.get(`${worker}.worker.nap.threshold`))).toBeLessThanOrEqual(1_000);
      expect(Number(settings.get(`${worker}.worker.sleep.threshold`))).toBeLessThanOrEqual(1_000);
    }
  });

  it('docker-compose.yml passes the same values as QDB_* variables', () => {
    const compose = readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8');
    for (const [key, value] of settings) {
      expect({ key, line: compose.includes(`${envName(key)}: '${value}'`) }).toEqual({
        key,
        line: true,
      });
    }
  });

  it('the test server runs with them', async () => {
    const { httpUrl } = testQuestDB();
    const res = await fetch(
      `${httpUrl}/exec?query=${encodeURIComponent("SELECT property_path, value FROM (SHOW PARAMETERS) WHERE property_path ~ 'worker\\.(yield|nap|sleep)\\.threshold'")}`,
    );
    const body = (await res.json()) as { dataset: Array<[string, string]> };
    const running = new Map(body.dataset);
    for (const [key, value] of settings)
      expect({ key, value: running.get(key) }).toEqual({ key, value });
  });
});
