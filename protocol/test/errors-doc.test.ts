import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ERRORS, ERROR_CODES } from '../src';

// docs/errors.md is what users read; it must list every code with its status and close code.
describe('docs/errors.md', () => {
  const doc = readFileSync(path.resolve(__dirname, '../../docs/errors.md'), 'utf8');
  const rows = new Map<string, string[]>();
  for (const line of doc.split('\n')) {
    const match = /^\| `([A-Z0-9_]+)`\s*\|(.*)\|\s*$/.exec(line);
    if (match?.[1] && match[2] !== undefined)
      rows.set(
        match[1],
        match[2].split('|').map((c) => c.trim()),
      );
  }

  it.each(ERROR_CODES)('documents %s with its status and close code', (code) => {
    const row = rows.get(code);
    expect(row).toBeDefined();
    const entry: { status?: number; wsClose?: number; message: string } = ERRORS[code];
    expect(row?.[0]).toBe(entry.status === undefined ? '' : String(entry.status));
    expect(row?.[1]).toBe(entry.wsClose === undefined ? '' : String(entry.wsClose));
  });

  it('documents no code that does not exist', () => {
    expect([...rows.keys()].filter((c) => !(ERROR_CODES as string[]).includes(c))).toEqual([]);
  });
});
