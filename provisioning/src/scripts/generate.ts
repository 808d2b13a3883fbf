// `npm run dashboards`: writes the dashboard JSON and alerting YAML generated from this package's
// TypeScript. `--check` writes nothing and exits 1 when a committed file differs.
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { renderProvisioning } from '../render';

const ROOT = path.resolve(__dirname, '..', '..');

function main(): void {
  const check = process.argv.includes('--check');
  const files = renderProvisioning();
  const stale: string[] = [];
  for (const [relative, content] of files) {
    const target = path.join(ROOT, relative);
    const current = existsSync(target) ? readFileSync(target, 'utf8') : undefined;
    if (current === content) continue;
    stale.push(relative);
    if (!check) {
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, content);
    }
  }
  if (check && stale.length > 0) {
    console.error(`out of date (run npm run dashboards): ${stale.join(', ')}`);
    process.exit(1);
  }
  console.log(
    check ? `${files.size} files up to date` : `${files.size} files, ${stale.length} written`,
  );
}

main();
