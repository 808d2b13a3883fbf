import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  PageNavigationSchema,
  PageScrapeSchema,
  SchedulerRunSchema,
  ScraperRunSchema,
} from '../src';
import { eventsMarkdown } from '../scripts/events-markdown';

// docs/events.md is generated from the registry; it must be the current output, and it must
// document every field the validators accept, with the limits they enforce.
describe('docs/events.md', () => {
  const doc = readFileSync(path.resolve(__dirname, '../../docs/events.md'), 'utf8');

  it('is what `npm run docs` generates from the registry', () => {
    expect(doc).toBe(eventsMarkdown());
  });

  const schemas = {
    page_navigation: PageNavigationSchema,
    page_scrape: PageScrapeSchema,
    scheduler_run: SchedulerRunSchema,
    scraper_run: ScraperRunSchema,
  };
  it.each(Object.entries(schemas))(
    'documents every %s field the validator accepts',
    (kind, schema) => {
      const section = doc.split(/^## /m).find((s) => s.startsWith(`\`${kind}\``)) ?? '';
      const properties = (
        schema as unknown as { properties: Record<string, Record<string, unknown>> }
      ).properties;
      const required = (schema as unknown as { required: string[] }).required;
      for (const [name, property] of Object.entries(properties)) {
        const row = section.split('\n').find((line) => line.startsWith(`| \`${name}\` `));
        expect([name, row !== undefined]).toEqual([name, true]);
        const cells = (row ?? '').split(' | ').map((c) => c.trim());
        expect([name, cells[2]]).toEqual([name, required.includes(name) ? 'yes' : 'no']);
        for (const key of ['maxLength', 'minimum', 'maximum'] as const)
          if (property[key] !== undefined) expect(cells[3]).toContain(String(property[key]));
        if (property['pattern'] !== undefined)
          expect(cells[3]).toContain(String(property['pattern']));
      }
    },
  );
});
