import { freePort } from '@scrapewatch/questdb';

export { freePort };

/**
 * A port on 127.0.0.1 that nothing listens on (connection refused): one the kernel just handed
 * out and released. Another process could take it later, so a test uses it at once.
 */
export function closedPort(): Promise<number> {
  return freePort();
}
