import type { DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { Field, FieldSet, Input, RadioButtonGroup, SecretInput } from '@grafana/ui';
import type { ChangeEvent } from 'react';
import {
  connectionMode,
  DEFAULT_INITIAL_BACKOFF_MS,
  DEFAULT_MAX_BACKOFF_MS,
  type ConnectionMode,
  type LiveDataSourceOptions,
  type LiveSecureJsonData,
} from '../types';

type Props = DataSourcePluginOptionsEditorProps<LiveDataSourceOptions, LiveSecureJsonData>;

const CONNECTION_OPTIONS: Array<{ label: string; value: ConnectionMode; description: string }> = [
  {
    label: "Through Grafana's server",
    value: 'proxy',
    description: 'The token stays in Grafana; browsers only talk to Grafana.',
  },
  {
    label: 'Browser to collector',
    value: 'direct',
    description: 'Browsers call the collector themselves and receive the token.',
  },
];

/**
 * Connection, collector URL, stream token and reconnect settings. Through Grafana's data source
 * proxy (the default) the token is secureJsonData, which only Grafana's server reads (Grafana's
 * secure field pattern: once saved it shows as configured and can only be reset); the URL is the
 * data source URL, as Grafana's server reaches the collector. The direct mode keeps the old
 * browser-to-collector path, where the token is jsonData and reaches every viewer.
 */
export function ConfigEditor({ options, onOptionsChange }: Props) {
  const jsonData = options.jsonData ?? {};
  const connection = connectionMode(jsonData);
  const set = (patch: Partial<LiveDataSourceOptions>) =>
    onOptionsChange({ ...options, jsonData: { ...jsonData, ...patch } });
  const setNumber =
    (key: 'initialBackoffMs' | 'maxBackoffMs') => (event: ChangeEvent<HTMLInputElement>) => {
      const value = Number.parseInt(event.currentTarget.value, 10);
      set({ [key]: Number.isFinite(value) && value > 0 ? value : undefined });
    };
  const setSecureToken = (value: string) =>
    onOptionsChange({
      ...options,
      secureJsonData: { ...options.secureJsonData, streamToken: value },
    });
  const resetSecureToken = () =>
    onOptionsChange({
      ...options,
      secureJsonFields: { ...options.secureJsonFields, streamToken: false },
      secureJsonData: { ...options.secureJsonData, streamToken: '' },
    });

  return (
    <>
      <FieldSet label="Collector">
        <Field label="Connection">
          <RadioButtonGroup<ConnectionMode>
            options={CONNECTION_OPTIONS}
            value={connection}
            onChange={(value) => set({ connection: value })}
          />
        </Field>
        {connection === 'proxy' ? (
          <>
            <Field
              label="Collector URL"
              description="Base URL of the Scrapewatch collector as Grafana's server reaches it (e.g. http://collector:8080). Browsers never call it."
            >
              <Input
                id="scrapewatch-proxy-url"
                width={60}
                placeholder="http://collector:8080"
                value={options.url ?? ''}
                onChange={(e: ChangeEvent<HTMLInputElement>) =>
                  onOptionsChange({ ...options, url: e.currentTarget.value.trim() })
                }
              />
            </Field>
            <Field
              label="Stream token"
              description="A token from SCRAPEWATCH_STREAM_TOKENS, stored encrypted; Grafana's server sends it to the collector, browsers never see it. Leave empty when the collector runs with SCRAPEWATCH_AUTH=off."
            >
              <SecretInput
                id="scrapewatch-secure-stream-token"
                width={60}
                isConfigured={Boolean(options.secureJsonFields?.['streamToken'])}
                value={options.secureJsonData?.streamToken ?? ''}
                onChange={(e: ChangeEvent<HTMLInputElement>) =>
                  setSecureToken(e.currentTarget.value.trim())
                }
                onReset={resetSecureToken}
              />
            </Field>
          </>
        ) : (
          <>
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
          </>
        )}
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
