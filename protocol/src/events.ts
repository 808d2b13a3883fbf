import { Type } from '@sinclair/typebox';
import { wireSchema } from './json-schema';
import { PAGE_NAVIGATION, PAGE_SCRAPE, SCHEDULER_RUN, SCRAPER_RUN } from './registry';
import type {
  PageNavigationEvent,
  PageScrapeEvent,
  SchedulerRunEvent,
  ScraperRunEvent,
} from './wire-types';

// TypeBox schemas of the event kinds, generated from the registry (registry.ts): the collector
// compiles them with ajv, and they carry the wire types for TypeBox users.

export const PageNavigationSchema = Type.Unsafe<PageNavigationEvent>(wireSchema(PAGE_NAVIGATION));
export const PageScrapeSchema = Type.Unsafe<PageScrapeEvent>(wireSchema(PAGE_SCRAPE));
export const SchedulerRunSchema = Type.Unsafe<SchedulerRunEvent>(wireSchema(SCHEDULER_RUN));
export const ScraperRunSchema = Type.Unsafe<ScraperRunEvent>(wireSchema(SCRAPER_RUN));
