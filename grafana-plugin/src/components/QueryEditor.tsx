import type { QueryEditorProps, SelectableValue } from '@grafana/data';
import { getTemplateSrv } from '@grafana/runtime';
import {
  InlineField,
  InlineFieldRow,
  Input,
  MultiSelect,
  RadioButtonGroup,
  Select,
} from '@grafana/ui';
import {
  DEFAULT_LIVE_QUERY,
  EVENT_KINDS,
  LIVE_AGGREGATES,
  LIVE_FIELDS,
  type EventKind,
  type LiveAggregate,
  type LiveField,
} from '@scrapewatch/protocol/core';
import { useEffect, useMemo, useState, type ChangeEvent } from 'react';
import type { LiveDataSource } from '../datasource';
import { DEFAULT_WINDOW_MS, type LiveDataSourceOptions, type LiveQuery } from '../types';

type Props = QueryEditorProps<LiveDataSource, LiveQuery, LiveDataSourceOptions>;

const KIND_OPTIONS = EVENT_KINDS.map((kind) => ({ label: kind, value: kind }));
const FIELD_OPTIONS = LIVE_FIELDS.map((field) => ({ label: field, value: field }));
const AGGREGATE_OPTIONS = LIVE_AGGREGATES.map((aggregate) => ({
  label: aggregate,
  value: aggregate,
}));
const MODE_OPTIONS: Array<SelectableValue<LiveQuery['mode']>> = [
  { label: 'Raw events', value: 'raw' },
  { label: 'Aggregate', value: 'aggregate' },
];
const GROUP_OPTIONS: Array<SelectableValue<LiveQuery['groupBy']>> = [
  { label: 'Per scraper', value: 'scraper' },
  { label: 'Combined', value: 'none' },
];

/** Produces exactly the shared LiveQueryModel (plus Grafana's refId/datasource/hide). */
export function QueryEditor({ query, onChange, onRunQuery, datasource }: Props) {
  const [known, setKnown] = useState<string[]>([]);
  const [loadError, setLoadError] = useState<string | null>(null);
  useEffect(() => {
    let active = true;
    datasource.getScraperNames().then(
      (names) => active && setKnown(names),
      (error: unknown) => active && setLoadError((error as Error).message),
    );
    return () => {
      active = false;
    };
  }, [datasource]);

  const scraperOptions = useMemo(() => {
    const variables = getTemplateSrv()
      .getVariables()
      .map((v) => `$${v.name}`);
    const names = new Set([...variables, ...known, ...(query.scrapers ?? [])]);
    return [...names].map((name) => ({ label: name, value: name }));
  }, [known, query.scrapers]);

  const update = (patch: Partial<LiveQuery>) => {
    onChange({ ...query, ...patch });
    onRunQuery();
  };
  const mode = query.mode ?? DEFAULT_LIVE_QUERY.mode;

  return (
    <>
      <InlineFieldRow>
        <InlineField
          label="Scrapers"
          labelWidth={14}
          tooltip="Empty: every scraper. Template variables such as $scraper (multi-value, All) work."
          error={loadError}
          invalid={loadError !== null}
        >
          <MultiSelect<string>
            inputId={`scrapewatch-scrapers-${query.refId}`}
            width={40}
            allowCustomValue
            placeholder="All scrapers"
            options={scraperOptions}
            value={query.scrapers ?? []}
            onChange={(items: Array<SelectableValue<string>>) =>
              update({
                scrapers: items
                  .map((i) => i.value)
                  .filter((v): v is string => typeof v === 'string'),
              })
            }
          />
        </InlineField>
        <InlineField label="Kind" labelWidth={8}>
          <Select<EventKind>
            inputId={`scrapewatch-kind-${query.refId}`}
            width={22}
            options={KIND_OPTIONS}
            value={query.kind ?? DEFAULT_LIVE_QUERY.kind}
            onChange={(item) => item.value && update({ kind: item.value })}
          />
        </InlineField>
      </InlineFieldRow>
      <InlineFieldRow>
        <InlineField label="Mode" labelWidth={14}>
          <RadioButtonGroup<LiveQuery['mode']>
            options={MODE_OPTIONS}
            value={mode}
            onChange={(value) => update({ mode: value })}
          />
        </InlineField>
        <InlineField
          label="Fields"
          labelWidth={8}
          tooltip="duration, items, retries, success (1/0); count, rate, success_pct and distinct_scrapers ignore them."
        >
          <MultiSelect<LiveField>
            inputId={`scrapewatch-fields-${query.refId}`}
            width={32}
            options={FIELD_OPTIONS}
            value={query.fields ?? [...DEFAULT_LIVE_QUERY.fields]}
            onChange={(items: Array<SelectableValue<LiveField>>) =>
              update({
                fields: items.map((i) => i.value).filter((v): v is LiveField => v !== undefined),
              })
            }
          />
        </InlineField>
        <InlineField label="Group by" labelWidth={10}>
          <RadioButtonGroup<LiveQuery['groupBy']>
            options={GROUP_OPTIONS}
            value={query.groupBy ?? DEFAULT_LIVE_QUERY.groupBy}
            onChange={(value) => update({ groupBy: value })}
          />
        </InlineField>
      </InlineFieldRow>
      {mode === 'aggregate' && (
        <InlineFieldRow>
          <InlineField
            label="Aggregate"
            labelWidth={14}
            tooltip="rate is events per second over the window; success_pct is 0-100; sum adds up each field; distinct_scrapers counts scrapers with an event in the window."
          >
            <Select<LiveAggregate>
              inputId={`scrapewatch-aggregate-${query.refId}`}
              width={18}
              options={AGGREGATE_OPTIONS}
              value={query.aggregate ?? 'count'}
              onChange={(item) => item.value && update({ aggregate: item.value })}
            />
          </InlineField>
          <InlineField
            label="Window (ms)"
            labelWidth={14}
            tooltip="Rolling window of the aggregate."
          >
            <Input
              id={`scrapewatch-window-${query.refId}`}
              type="number"
              width={14}
              placeholder={String(DEFAULT_WINDOW_MS)}
              defaultValue={query.windowMs ?? ''}
              onBlur={(e: ChangeEvent<HTMLInputElement>) => {
                const value = Number.parseInt(e.currentTarget.value, 10);
                update({ windowMs: Number.isFinite(value) && value > 0 ? value : undefined });
              }}
            />
          </InlineField>
        </InlineFieldRow>
      )}
    </>
  );
}
