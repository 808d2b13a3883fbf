/** The six sections, in tab order; every dashboard links to all of them by uid. */
export const SECTIONS = Object.freeze([
  { key: 'overview', uid: 'scrapewatch-overview', title: 'Scrapewatch / Overview' },
  { key: 'scrapers', uid: 'scrapewatch-scrapers', title: 'Scrapewatch / Scrapers' },
  { key: 'navigation', uid: 'scrapewatch-navigation', title: 'Scrapewatch / Navigation' },
  { key: 'scraping', uid: 'scrapewatch-scraping', title: 'Scrapewatch / Scraping' },
  { key: 'scheduler', uid: 'scrapewatch-scheduler', title: 'Scrapewatch / Scheduler' },
  { key: 'alerts', uid: 'scrapewatch-alerts', title: 'Scrapewatch / Alerts' },
] as const);

export type SectionKey = (typeof SECTIONS)[number]['key'];

export function section(key: SectionKey): (typeof SECTIONS)[number] {
  const found = SECTIONS.find((s) => s.key === key);
  if (!found) throw new Error(`unknown section ${key}`);
  return found;
}

/** Tag shared by the six dashboards. */
export const DASHBOARD_TAG = 'scrapewatch';

/** Dashboard links are `/d/<uid>` so a test can resolve each to a section. */
export function sectionUrl(uid: string): string {
  return `/d/${uid}`;
}
