import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CONFIG_VARIABLES, loadConfig } from '../../src';

// Users configure the collector from the README's table and docs/collector.md: both must name
// every variable the collector reads, nothing it does not, and each with its real default.
describe.each(['README.md', 'docs/collector.md'])('%s', (file) => {
  const text = readFileSync(path.resolve(__dirname, '../../..', file), 'utf8');
  const rows = [...text.matchAll(/^\| `(SCRAPEWATCH_[A-Z0-9_]+)`\s*\|\s*([^|]*?)\s*\|/gm)].map(
    (m) => ({ name: m[1] ?? '', defaultText: m[2] ?? '' }),
  );
  const documented = new Set(rows.map((row) => row.name));

  it('documents every configuration variable', () => {
    expect(CONFIG_VARIABLES.filter((v) => !documented.has(v))).toEqual([]);
  });

  it('documents no variable the collector does not read', () => {
    expect([...documented].filter((v) => v && !CONFIG_VARIABLES.includes(v))).toEqual([]);
  });

  it('states each default the collector really uses', () => {
    // Setting a variable to its documented default must change nothing. Cluster-mode variables
    // are refused without SCRAPEWATCH_NATS_URL, so they are checked in cluster mode.
    const clusterBase = { SCRAPEWATCH_NATS_URL: 'nats://127.0.0.1:4222' };
    const checked = rows.filter((row) => /^`[^`]+`$/.test(row.defaultText));
    expect(checked.length).toBeGreaterThan(20);
    for (const { name, defaultText } of checked) {
      const base = name.startsWith('SCRAPEWATCH_NATS_') ? clusterBase : {};
      const config = loadConfig({ ...base, [name]: defaultText.slice(1, -1) });
      expect([name, config]).toEqual([name, loadConfig(base)]);
    }
  });
});
