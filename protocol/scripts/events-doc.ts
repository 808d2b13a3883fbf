import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { eventsMarkdown } from './events-markdown';

// `npm run docs`: writes docs/events.md from the event registry. `--check` only compares.
const file = path.resolve(__dirname, '../../docs/events.md');

function main(): void {
  const text = eventsMarkdown();
  if (process.argv.includes('--check')) {
    if (readFileSync(file, 'utf8') !== text) {
      console.error(`${file} is out of date: run npm run docs`);
      process.exitCode = 1;
    }
    return;
  }
  writeFileSync(file, text);
  console.log(`wrote ${file}`);
}

main();
