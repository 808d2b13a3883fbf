// The part of the kit that loads the collector's own code (its storage, HTTP server and pino),
// apart from the main entry so that tests in a browser environment (the Grafana plugin's) never
// load it. Import it as `@scrapewatch/testkit/collector`.
export { startInProcessCollector } from './in-process';
export type { InProcessCollector } from './in-process';
export { refreshTiers } from './tiers';
