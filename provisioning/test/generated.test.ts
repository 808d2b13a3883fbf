import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { DASHBOARD_JSON_DIR, renderProvisioning } from '../src/render';

const ROOT = path.resolve(__dirname, '..');

describe('committed provisioning equals what the TypeScript generates', () => {
  it('every generated file is committed unchanged (run `npm run dashboards` after editing src)', () => {
    const files = renderProvisioning();
    for (const [relative, content] of files) {
      const committed = readFileSync(path.join(ROOT, relative), 'utf8');
      expect({ file: relative, content: committed }).toEqual({ file: relative, content });
    }
  });

  it('the dashboard folder holds no stale dashboard', () => {
    const files = renderProvisioning();
    const committed = readdirSync(path.join(ROOT, DASHBOARD_JSON_DIR)).map(
      (f) => `${DASHBOARD_JSON_DIR}/${f}`,
    );
    expect(committed.sort()).toEqual(
      [...files.keys()].filter((f) => f.startsWith(DASHBOARD_JSON_DIR)).sort(),
    );
  });
});
