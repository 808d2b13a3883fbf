import type { AcceptedEvent } from '@scrapewatch/protocol';
import { createQuestDBClient } from '../../src/storage/questdb';
import {
  domainOf,
  encodeRows,
  schedulerStatusOf,
  schedulerSuccessOf,
} from '../../src/storage/rows';

describe('row mapping', () => {
  const client = createQuestDBClient('http://127.0.0.1:9', 1_000);
  afterAll(() => client.close());

  it('derives the domain from the URL, tolerating URLs that do not parse', () => {
    expect(domainOf('https://WWW.Robinhood.com./stocks/AAPL?x=1')).toBe('www.robinhood.com');
    expect(domainOf('http://127.0.0.1:8080/')).toBe('127.0.0.1');
    expect(domainOf('not a url')).toBeNull();
    expect(domainOf('/relative/path')).toBeNull();
    expect(domainOf('mailto:ops@example.com')).toBeNull();
  });

  it('derives the scheduler status from success and success from status', () => {
    const run = {
      type: 'scheduler_run',
      schedulerName: 's',
      jobName: 'j',
      durationMs: 1,
      scheduledAt: 0,
      startedAt: 0,
      recordedAt: 0,
    } as const;
    expect(schedulerStatusOf({ ...run, success: true })).toBe('success');
    expect(schedulerStatusOf({ ...run, success: false })).toBe('failed');
    expect(schedulerStatusOf({ ...run, status: 'skipped' })).toBe('skipped');
    expect(schedulerSuccessOf({ ...run, status: 'success' })).toBe(true);
    expect(schedulerSuccessOf({ ...run, status: 'missed' })).toBe(false);
  });

  it('writes ILP with the column types of the DDL and leaves null columns out', () => {
    const events: AcceptedEvent[] = [
      {
        type: 'page_navigation',
        scraperSource: 'robinhood',
        url: 'https://robinhood.com/stocks/AAPL',
        navigationDurationMs: 150,
        retryCount: 2,
        success: true,
        error: null,
        recordedAt: 1702214400000.5,
        statusCode: 200,
        eventId: 'e1',
      },
      {
        type: 'scheduler_run',
        schedulerName: 'main',
        jobName: 'hourly',
        durationMs: 10.5,
        status: 'missed',
        scheduledAt: 1702214400000,
        startedAt: null,
        recordedAt: 1702214401000,
        eventId: 'e2',
      },
    ];
    const lines = encodeRows(client.newBuffer(), events, 1702214402000).toString().split('\n');
    expect(lines[0]).toBe(
      'page_navigation,scraper=robinhood,domain=robinhood.com event_id="e1",url="https://robinhood.com/stocks/AAPL",' +
        'duration_ms=150,retry_count=2i,success=t,status_code=200i,received_at=1702214402000000t 1702214400000500000',
    );
    expect(lines[1]).toBe(
      'scheduler_run,scheduler_name=main,job_name=hourly,status=missed event_id="e2",success=f,duration_ms=10.5,' +
        'scheduled_at=1702214400000000t,received_at=1702214402000000t 1702214401000000000',
    );
    expect(lines[2]).toBe('');
  });
});
