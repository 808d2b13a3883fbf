import type { EventKind } from './kinds';
import type { LiveField } from './live-query';
import { coreDerivation, eventSucceeded } from './derive';
import { EVENT_REGISTRY } from './registry';
import type { AcceptedEvent, MetricEvent } from './wire-types';

type Source = (event: MetricEvent) => unknown;

/** Per kind, where each live field's value comes from (the registry's `live` roles). */
const LIVE_SOURCES: Readonly<Record<EventKind, Partial<Record<LiveField, Source>>>> = (() => {
  const out = {} as Record<EventKind, Partial<Record<LiveField, Source>>>;
  for (const spec of Object.values(EVENT_REGISTRY)) {
    const sources: Partial<Record<LiveField, Source>> = {};
    for (const field of spec.fields) {
      const name = field.name;
      if (field.live !== undefined)
        sources[field.live] = (event) => (event as unknown as Record<string, unknown>)[name];
    }
    for (const column of spec.columns) {
      const derive = column.derive === undefined ? undefined : coreDerivation(column.derive);
      if (column.live !== undefined && derive !== undefined)
        sources[column.live] = (event) => derive(event as AcceptedEvent, 0);
    }
    out[spec.kind] = sources;
  }
  return out;
})();

/** The plotted value of `field` for one event; null when the kind has no such value. */
export function liveValueOf(event: MetricEvent, field: LiveField): number | null {
  if (field === 'success') return eventSucceeded(event) ? 1 : 0;
  const source = LIVE_SOURCES[event.type][field];
  if (source === undefined) return null;
  const value = source(event);
  return typeof value === 'number' ? value : null;
}
