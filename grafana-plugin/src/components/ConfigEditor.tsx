import type { DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { Field, FieldSet, Input } from '@grafana/ui';
import type { ChangeEvent } from 'react';
import {
  DEFAULT_INITIAL_BACKOFF_MS,
  DEFAULT_MAX_BACKOFF_MS,
  type LiveDataSourceOptions,
} from '../types';

type Props = DataSourcePluginOptionsEditorProps<LiveDataSourceOptions>;

/**
 * Collector URL, stream token and reconnect settings. Everything is jsonData: the viewer's browser
 * talks to the collector directly (HTTP with CORS, and the WebSocket that Grafana's proxy cannot
 * carry), so the token reaches every viewer. Use a read-only stream token, scoped to the scrapers
 * these dashboards show.
 */
export function ConfigEditor({ options, onOptionsChange }: Props) {
  const jsonData = options.jsonData ?? {};
  const set = (patch: Partial<LiveDataSourceOptions>) =>
    onOptionsChange({ ...options, jsonData: { ...jsonData, ...patch } });
  const setNumber =
    (key: 'initialBackoffMs' | 'maxBackoffMs') => (event: ChangeEvent<HTMLInputElement>) => {
      const value = Number.parseInt(event.currentTarget.value, 10);
      set({ [key]: Number.isFinite(value) && value > 0 ? value : undefined });
    };

  return (
    <>
      <FieldSet label="Collector">
        <Field
          label="Collector URL"
          description="Base URL of the Scrapewatch collector as viewers' browsers reach it. Add the Grafana origin to the collector's SCRAPEWATCH_ALLOWED_ORIGINS."
        >
          <Input
            id="scrapewatch-collector-url"
            width={60}
            placeholder="http://127.0.0.1:8080"
            value={jsonData.collectorUrl ?? ''}
            onChange={(e: ChangeEvent<HTMLInputElement>) =>
              set({ collectorUrl: e.currentTarget.value.trim() })
            }
          />
        </Field>
        <Field
          label="Stream token (visible to dashboard viewers)"
          description="A token from SCRAPEWATCH_STREAM_TOKENS. Browsers open the live WebSocket themselves, so this token is sent to every viewer: use a read-only stream token, never an ingest token. Leave empty when the collector runs with SCRAPEWATCH_AUTH=off."
        >
          <Input
            id="scrapewatch-stream-token"
            width={60}
            type="password"
            autoComplete="off"
            value={jsonData.streamToken ?? ''}
            onChange={(e: ChangeEvent<HTMLInputElement>) =>
              set({ streamToken: e.currentTarget.value.trim() || undefined })
            }
          />
        </Field>
      </FieldSet>
      <FieldSet label="Reconnect">
        <Field
          label="Initial backoff (ms)"
          description="First delay before reconnecting; doubles per failed attempt, with jitter."
        >
          <Input
            id="scrapewatch-initial-backoff"
            width={20}
            type="number"
            placeholder={String(DEFAULT_INITIAL_BACKOFF_MS)}
            value={jsonData.initialBackoffMs ?? ''}
            onChange={setNumber('initialBackoffMs')}
          />
        </Field>
        <Field label="Maximum backoff (ms)" description="Longest delay between reconnect attempts.">
          <Input
            id="scrapewatch-max-backoff"
            width={20}
            type="number"
            placeholder={String(DEFAULT_MAX_BACKOFF_MS)}
            value={jsonData.maxBackoffMs ?? ''}
            onChange={setNumber('maxBackoffMs')}
          />
        </Field>
      </FieldSet>
    </>
  );
}
