import type { FieldSpec, WireType } from './registry';
import type { PAGE_NAVIGATION, PAGE_SCRAPE, SCHEDULER_RUN, SCRAPER_RUN } from './registry';

// The TypeScript types of the wire format, computed from the registry's declarations: a field
// added there is typed everywhere at once.

type ValueOf<W> = W extends { readonly type: 'string' }
  ? string
  : W extends { readonly type: 'number' | 'integer' }
    ? number
    : W extends { readonly type: 'boolean' }
      ? boolean
      : W extends { readonly type: 'enum'; readonly values: readonly (infer V)[] }
        ? V
        : W extends { readonly type: 'counts' }
          ? Record<string, number>
          : never;

type FieldValue<F> = F extends { readonly value: infer W; readonly nullable: true }
  ? ValueOf<W> | null
  : F extends { readonly value: infer W extends WireType }
    ? ValueOf<W>
    : never;

type Flatten<T> = { [K in keyof T]: T[K] } & {};

/** The wire shape of one kind: `type` plus its fields, optional ones marked `?`. */
export type WireEvent<S extends { readonly kind: string; readonly fields: readonly FieldSpec[] }> =
  Flatten<
    { type: S['kind'] } & {
      [
        F in S['fields'][number] as F extends { readonly required: true } ? F['name'] : never
      ]: FieldValue<F>;
    } & {
      [
        F in S['fields'][number] as F extends { readonly required: false } ? F['name'] : never
      ]?: FieldValue<F>;
    }
  >;

export type PageNavigationEvent = WireEvent<typeof PAGE_NAVIGATION>;
export type PageScrapeEvent = WireEvent<typeof PAGE_SCRAPE>;
export type SchedulerRunEvent = WireEvent<typeof SCHEDULER_RUN>;
export type ScraperRunEvent = WireEvent<typeof SCRAPER_RUN>;
export type MetricEvent =
  PageNavigationEvent | PageScrapeEvent | SchedulerRunEvent | ScraperRunEvent;

/** An event as the collector accepted it: `eventId` always set (sent, or derived stably). */
export type AcceptedEvent = MetricEvent & { eventId: string };

/** The envelope scrapers may post and the live stream sends (the stream adds `channel` and `seq`). */
export interface MetricsBatchEnvelope {
  type: 'metrics_batch';
  scraperSource?: string;
  count: number;
  timestamp: number;
  metrics: MetricEvent[];
}
