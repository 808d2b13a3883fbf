import { rowToEvent } from '../../src/storage/history';

// History rows are read back into wire events by the registry: required fields always present,
// optional ones only when stored, `error` and nullable required fields as null.
describe('history rows', () => {
  it('reads a scheduler run with null columns as history always has', () => {
    const event = rowToEvent('scheduler_run', {
      ts_us: '1702214400000500',
      event_id: 'e1',
      scheduler_name: 'main',
      job_name: 'hourly',
      scraper: null,
      status: 'missed',
      success: false,
      duration_ms: null,
      scrapers_run: null,
      scheduled_at_us: '1702214390000000',
      started_at_us: null,
      error: null,
      error_class: null,
      run_id: null,
    });
    expect(event).toEqual({
      type: 'scheduler_run',
      schedulerName: 'main',
      jobName: 'hourly',
      durationMs: 0,
      success: false,
      status: 'missed',
      error: null,
      scheduledAt: 1702214390000,
      startedAt: null,
      recordedAt: 1702214400000.5,
      eventId: 'e1',
    });
  });

  it('reads every optional navigation field that is stored', () => {
    const event = rowToEvent('page_navigation', {
      ts_us: '1702214400000000',
      event_id: 'e2',
      scraper: 'shop',
      url: 'https://shop.example.com/',
      duration_ms: 12.5,
      retry_count: 1,
      success: true,
      status_code: 200,
      bytes: '4096',
      error: null,
      error_class: 'timeout',
      run_id: 'r1',
    });
    expect(event).toEqual({
      type: 'page_navigation',
      scraperSource: 'shop',
      url: 'https://shop.example.com/',
      navigationDurationMs: 12.5,
      retryCount: 1,
      success: true,
      error: null,
      recordedAt: 1702214400000,
      statusCode: 200,
      bytes: 4096,
      errorClass: 'timeout',
      runId: 'r1',
      eventId: 'e2',
    });
  });
});
