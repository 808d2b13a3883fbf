import type { DataSourceSettings } from '@grafana/data';
import { fireEvent, render, screen } from '@testing-library/react';
import { freePort } from '@scrapewatch/questdb';
import { ConfigEditor } from '../src/components/ConfigEditor';
import { QueryEditor } from '../src/components/QueryEditor';
import type { LiveDataSourceOptions, LiveQuery, LiveSecureJsonData } from '../src/types';
import { createDataSource, installGrafanaServices, TestTemplateSrv } from './support/grafana';

describe('ConfigEditor', () => {
  it('through the proxy (default): URL as the data source URL, the token as a secure field', () => {
    let options = {
      jsonData: {},
      secureJsonFields: {},
    } as unknown as DataSourceSettings<LiveDataSourceOptions, LiveSecureJsonData>;
    const onOptionsChange = (
      next: DataSourceSettings<LiveDataSourceOptions, LiveSecureJsonData>,
    ) => {
      options = next;
    };
    const { rerender } = render(
      <ConfigEditor options={options} onOptionsChange={onOptionsChange} />,
    );
    fireEvent.change(document.getElementById('scrapewatch-proxy-url') as HTMLInputElement, {
      target: { value: ' http://collector:8080 ' },
    });
    rerender(<ConfigEditor options={options} onOptionsChange={onOptionsChange} />);
    fireEvent.change(
      document.getElementById('scrapewatch-secure-stream-token') as HTMLInputElement,
      { target: { value: 'secure-stream-token-0123456789' } },
    );
    expect(options.url).toBe('http://collector:8080');
    expect(options.secureJsonData).toEqual({ streamToken: 'secure-stream-token-0123456789' });
    expect(options.jsonData).toEqual({});

    // Saved: Grafana sends back only secureJsonFields; the field shows configured and resets.
    options = {
      ...options,
      secureJsonData: {},
      secureJsonFields: { streamToken: true },
    } as typeof options;
    rerender(<ConfigEditor options={options} onOptionsChange={onOptionsChange} />);
    expect(
      (document.getElementById('scrapewatch-secure-stream-token') as HTMLInputElement).value,
    ).toBe('configured');
    fireEvent.click(screen.getByRole('button', { name: 'Reset' }));
    expect(options.secureJsonFields).toEqual({ streamToken: false });
    expect(options.secureJsonData).toEqual({ streamToken: '' });
    expect(document.getElementById('scrapewatch-stream-token')).toBeNull();
  });

  it('direct: edits the collector URL, the stream token and the backoff settings in jsonData', () => {
    let options = {
      jsonData: { connection: 'direct' },
      secureJsonFields: {},
    } as unknown as DataSourceSettings<LiveDataSourceOptions>;
    const onOptionsChange = (next: DataSourceSettings<LiveDataSourceOptions>) => {
      options = next;
    };
    const { rerender } = render(
      <ConfigEditor options={options} onOptionsChange={onOptionsChange} />,
    );
    fireEvent.change(document.getElementById('scrapewatch-collector-url') as HTMLInputElement, {
      target: { value: ' https://collector.example:8080 ' },
    });
    rerender(<ConfigEditor options={options} onOptionsChange={onOptionsChange} />);
    fireEvent.change(document.getElementById('scrapewatch-stream-token') as HTMLInputElement, {
      target: { value: 'stream-token-0123456789' },
    });
    rerender(<ConfigEditor options={options} onOptionsChange={onOptionsChange} />);
    fireEvent.change(document.getElementById('scrapewatch-max-backoff') as HTMLInputElement, {
      target: { value: '5000' },
    });
    expect(options.jsonData).toEqual({
      connection: 'direct',
      collectorUrl: 'https://collector.example:8080',
      streamToken: 'stream-token-0123456789',
      maxBackoffMs: 5000,
    });
    expect(screen.getByText('Stream token (visible to dashboard viewers)')).toBeTruthy();
  });
});

describe('QueryEditor', () => {
  beforeAll(() =>
    installGrafanaServices(
      new TestTemplateSrv([{ name: 'scraper', current: 'a', options: ['a'] }]),
    ),
  );

  it('produces the shared query model and shows why scrapers could not be listed', async () => {
    const ds = createDataSource({ collectorUrl: `http://127.0.0.1:${await freePort()}` });
    let query: LiveQuery = {
      refId: 'A',
      scrapers: ['$scraper'],
      kind: 'page_navigation',
      fields: ['duration'],
      mode: 'raw',
      groupBy: 'scraper',
    };
    let runs = 0;
    const onChange = (next: LiveQuery) => {
      query = next;
    };
    const view = () => (
      <QueryEditor
        query={query}
        onChange={onChange}
        onRunQuery={() => (runs += 1)}
        datasource={ds}
      />
    );
    const { rerender } = render(view());
    expect(await screen.findByText(/no answer/, undefined, { timeout: 30_000 })).toBeTruthy();

    fireEvent.click(screen.getByLabelText('Aggregate'));
    expect(query).toMatchObject({ mode: 'aggregate' });
    rerender(view());
    fireEvent.click(screen.getByLabelText('Combined'));
    expect(query).toMatchObject({ mode: 'aggregate', groupBy: 'none', scrapers: ['$scraper'] });
    rerender(view());
    const windowInput = document.getElementById('scrapewatch-window-A') as HTMLInputElement;
    fireEvent.blur(windowInput, { target: { value: '30000' } });
    expect(query.windowMs).toBe(30_000);
    expect(runs).toBe(3);
    expect(Object.keys(query).sort()).toEqual([
      'fields',
      'groupBy',
      'kind',
      'mode',
      'refId',
      'scrapers',
      'windowMs',
    ]);
  });
});
