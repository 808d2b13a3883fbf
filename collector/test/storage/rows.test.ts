import type { AcceptedEvent } from '@scrapewatch/protocol';
import {
  domainOf,
  encodeRows,
  schedulerStatusOf,
  schedulerSuccessOf,
} from '../../src/storage/rows';

describe('row mapping', () => {
  it('derives the domain from the URL, tolerating URLs that do not parse', () => {
    expect(domainOf('https://WWW.Robinhood.com./stocks/AAPL?x=1')).toBe('www.robinhood.com');
    expect(domainOf('http://127.0.0.1:8080/')).toBe('127.0.0.1');
    expect(domainOf('not a url')).toBeNull();
    expect(domainOf('/relative/path')).toBeNull();
    expect(domainOf('mailto:ops@example.com')).toBeNull();
  });

  it('takes the same domain on its fast path as the URL parser', () => {
    const parsed = (url: string): string | null => {
      try {
        const domain = new URL(url).hostname.toLowerCase().replace(/\.$/, '');
        return domain.length > 0 ? domain : null;
      } catch {
        return null;
      }
    };
    const schemes = ['https://', 'http://', 'HTTP://', 'https:/', 'ftp://', ' https://', ''];
    const hosts = [
      ...['Shop.Example.COM', 'a..b', '.', 'a.', 'a..', '1..', '-x-', 'a-1.b2', '', 'x_y.com'],
      ...['127.1', '10.0.0.1', '0x7f.1', '0X7F.0.0.1', 'a.1b', 'a.0x', '1.2.3.4.', '999.1.1.1'],
      ...['xn--bcher-kva.de', 'XN--a.com', 'xn--', 'user@host', 'h\tost', 'bücher.de', '[::1]'],
      ...['a.XN--b', 'A.0X1.', 'x.1a.', 'b.c..', 'a.b.0', 'Mixed-Case.Example', 'a.xn-b', 'x0x.1'],
    ];
    const tails = ['', '/', '/p?q=1', '?q', '#f', ':8080/', ':99999/', ':', ' ', '\n', '\\x'];
    for (const scheme of schemes)
      for (const host of hosts)
        for (const tail of tails) {
          const url = `${scheme}${host}${tail}`;
          expect([url, domainOf(url)]).toEqual([url, parsed(url)]);
        }
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
    const lines = encodeRows(events, 1702214402000).toString().split('\n');
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

  it('adds the error fingerprint (symbol) and template, and the block reason', () => {
    const event: AcceptedEvent = {
      type: 'page_navigation',
      scraperSource: 'shop',
      url: 'https://shop.example/p/1',
      navigationDurationMs: 80,
      retryCount: 0,
      success: false,
      error: 'HTTP 429 (blocked) after 3 tries',
      errorClass: 'blocked',
      blockReason: 'rate_limited',
      statusCode: 429,
      recordedAt: 1702214400000,
      eventId: 'e3',
    };
    const line = encodeRows([event], 1702214402000).toString();
    expect(line).toMatch(
      /^page_navigation,scraper=shop,domain=shop\.example,error_class=blocked,error_fingerprint=[0-9a-f]{16},block_reason=rate_limited /,
    );
    expect(line).toContain(
      'error="HTTP 429 (blocked) after 3 tries",received_at=1702214402000000t,error_template="HTTP 429 (blocked) after <n> tries"',
    );
  });
});
