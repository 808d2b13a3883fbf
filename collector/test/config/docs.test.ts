import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CONFIG_VARIABLES } from '../../src';

// Users configure the collector from the README's table and docs/collector.md: both must name
// every variable the collector reads, and nothing it does not.
describe.each(['README.md', 'docs/collector.md'])('%s', (file) => {
  const text = readFileSync(path.resolve(__dirname, '../../..', file), 'utf8');
  const documented = new Set(
    [...text.matchAll(/^\| `(SCRAPEWATCH_[A-Z0-9_]+)`/gm)].map((m) => m[1]),
  );

  it('documents every configuration variable', () => {
    expect(CONFIG_VARIABLES.filter((v) => !documented.has(v))).toEqual([]);
  });

  it('documents no variable the collector does not read', () => {
    expect([...documented].filter((v) => v && !CONFIG_VARIABLES.includes(v))).toEqual([]);
  });
});
