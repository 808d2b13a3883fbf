import type { AcceptedEvent } from '@scrapewatch/protocol';

let counter = 0;

export function navigation(
  scraper: string,
  recordedAt: number,
  patch: Partial<Extract<AcceptedEvent, { type: 'page_navigation' }>> = {},
): AcceptedEvent {
  counter += 1;
  return {
    type: 'page_navigation',
    scraperSource: scraper,
    url: `https://example.com/${counter}`,
    navigationDurationMs: 100,
    retryCount: 0,
    success: true,
    error: null,
    recordedAt,
    eventId: `nav-${counter}`,
    ...patch,
  };
}

export function scrape(
  scraper: string,
  recordedAt: number,
  patch: Partial<Extract<AcceptedEvent, { type: 'page_scrape' }>> = {},
): AcceptedEvent {
  counter += 1;
  return {
    type: 'page_scrape',
    scraperSource: scraper,
    url: `https://example.com/item/${counter}`,
    scrapeDurationMs: 50,
    itemsExtracted: 10,
    success: true,
    error: null,
    recordedAt,
    eventId: `scrape-${counter}`,
    ...patch,
  };
}

export function schedulerRun(
  schedulerName: string,
  recordedAt: number,
  patch: Partial<Extract<AcceptedEvent, { type: 'scheduler_run' }>> = {},
): AcceptedEvent {
  counter += 1;
  return {
    type: 'scheduler_run',
    schedulerName,
    jobName: 'hourly',
    durationMs: 1_000,
    status: 'success',
    scheduledAt: recordedAt - 1_000,
    startedAt: recordedAt - 900,
    recordedAt,
    eventId: `run-${counter}`,
    ...patch,
  };
}
