import {
  ConfigError,
  DEFAULT_INGEST_OPTIONS,
  OTHER_COMPONENTS_VARIABLES,
  loadConfig,
} from '../../src/config';
import { DEFAULT_LIVE_OPTIONS } from '../../src/live/options';
import { DEFAULT_STORAGE_OPTIONS } from '../../src/storage/options';

const TOKEN_A = 'ingest-token-aaaaaaaaaaaa';
const TOKEN_B = 'stream-token-bbbbbbbbbbbb';

function failure(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('loadConfig accepted the environment');
}

describe('loadConfig', () => {
  it('takes the defaults from an empty environment', () => {
    const config = loadConfig({});
    expect(config.host).toBe('127.0.0.1');
    expect(config.port).toBe(8080);
    expect(config.authEnabled).toBe(true);
    expect(config.logLevel).toBe('info');
    expect(config.ingestTokens).toEqual([]);
    expect(config.allowedOrigins).toEqual([]);
    expect(config.ingest).toEqual(DEFAULT_INGEST_OPTIONS);
    expect(config.storage).toEqual(DEFAULT_STORAGE_OPTIONS);
    // Bounds the environment does not name stay unset: the hub fills them from its defaults.
    expect(DEFAULT_LIVE_OPTIONS).toMatchObject(config.live);
  });

  it('ignores variables that are not SCRAPEWATCH_* and treats empty values as unset', () => {
    const config = loadConfig({ PATH: '/bin', HOME: '/root', SCRAPEWATCH_PORT: '' });
    expect(config.port).toBe(8080);
  });

  it('reads every kind of value', () => {
    const config = loadConfig({
      SCRAPEWATCH_HOST: '0.0.0.0',
      SCRAPEWATCH_PORT: '0',
      SCRAPEWATCH_AUTH: 'on',
      SCRAPEWATCH_INGEST_TOKENS: `${TOKEN_A}:robinhood|cnbc, ${TOKEN_B}`,
      SCRAPEWATCH_STREAM_TOKENS: TOKEN_B,
      SCRAPEWATCH_ALLOWED_ORIGINS: 'http://localhost:3000, https://grafana.example.com',
      SCRAPEWATCH_QUESTDB_HTTP: 'http://questdb:9000/',
      SCRAPEWATCH_QUESTDB_PG: 'postgresql://admin:quest@questdb:8812/qdb',
      SCRAPEWATCH_SPOOL_DIR: '/var/lib/scrapewatch/spool',
      SCRAPEWATCH_MAX_BODY_BYTES: '65536',
      SCRAPEWATCH_MAX_EVENTS_PER_REQUEST: '50',
      SCRAPEWATCH_RATE_LIMIT_EVENTS_PER_SECOND: '0',
      SCRAPEWATCH_LIVE_TICK_MS: '10',
      SCRAPEWATCH_LIVE_MAX_FRAME_BYTES: '65536',
      SCRAPEWATCH_WRITE_LINGER_MS: '0',
      SCRAPEWATCH_LOG_LEVEL: 'debug',
    });
    expect(config.host).toBe('0.0.0.0');
    expect(config.port).toBe(0);
    expect(config.ingestTokens).toEqual([
      { token: TOKEN_A, scrapers: ['robinhood', 'cnbc'] },
      { token: TOKEN_B, scrapers: '*' },
    ]);
    expect(config.streamTokens).toEqual([{ token: TOKEN_B, scrapers: '*' }]);
    expect(config.allowedOrigins).toEqual(['http://localhost:3000', 'https://grafana.example.com']);
    expect(config.storage.questdbHttpUrl).toBe('http://questdb:9000');
    expect(config.storage.questdbPgUrl).toBe('postgresql://admin:quest@questdb:8812/qdb');
    expect(config.storage.spoolDir).toBe('/var/lib/scrapewatch/spool');
    expect(config.storage.writeLingerMs).toBe(0);
    expect(config.ingest.maxBodyBytes).toBe(65_536);
    expect(config.ingest.maxEventsPerRequest).toBe(50);
    expect(config.ingest.rateLimitEventsPerSecond).toBe(0);
    expect(config.live.tickMs).toBe(10);
    expect(config.live.maxFrameBytes).toBe(65_536);
    expect(config.logLevel).toBe('debug');
  });

  it('is deeply frozen', () => {
    const config = loadConfig({ SCRAPEWATCH_INGEST_TOKENS: `${TOKEN_A}:a|b` });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.ingest)).toBe(true);
    expect(Object.isFrozen(config.storage)).toBe(true);
    expect(Object.isFrozen(config.live)).toBe(true);
    expect(Object.isFrozen(config.ingestTokens)).toBe(true);
    expect(Object.isFrozen(config.ingestTokens[0])).toBe(true);
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it('turns auth off only when told so explicitly', () => {
    expect(loadConfig({ SCRAPEWATCH_AUTH: 'off' }).authEnabled).toBe(false);
    expect(loadConfig({}).authEnabled).toBe(true);
  });

  it.each<[string, string, RegExp]>([
    ['SCRAPEWATCH_PORT', '80a', /whole number/],
    ['SCRAPEWATCH_PORT', '70000', /between 0 and 65535/],
    ['SCRAPEWATCH_PORT', '-1', /whole number/],
    ['SCRAPEWATCH_HOST', 'not a host!', /IP address or a host name/],
    ['SCRAPEWATCH_AUTH', 'false', /"on" or "off"/],
    ['SCRAPEWATCH_AUTH', 'yes', /"on" or "off"/],
    ['SCRAPEWATCH_INGEST_TOKENS', 'short', /at least 16 characters/],
    ['SCRAPEWATCH_STREAM_TOKENS', `${TOKEN_B}:`, /no scraper/],
    ['SCRAPEWATCH_ALLOWED_ORIGINS', 'http://localhost:3000/', /not an origin/],
    ['SCRAPEWATCH_ALLOWED_ORIGINS', 'grafana.example.com', /not an origin/],
    ['SCRAPEWATCH_ALLOWED_ORIGINS', 'ftp://example.com', /not an origin/],
    ['SCRAPEWATCH_QUESTDB_HTTP', 'questdb:9000', /http: or https:/],
    ['SCRAPEWATCH_QUESTDB_HTTP', '::nonsense', /not a URL/],
    ['SCRAPEWATCH_QUESTDB_PG', 'http://questdb:8812', /postgresql:/],
    ['SCRAPEWATCH_MAX_BODY_BYTES', '0', /between 1024/],
    ['SCRAPEWATCH_MAX_BODY_BYTES', '1.5', /whole number/],
    ['SCRAPEWATCH_MAX_EVENTS_PER_REQUEST', '0', /between 1/],
    ['SCRAPEWATCH_MAX_PAST_MS', 'week', /whole number/],
    ['SCRAPEWATCH_RATE_LIMIT_EVENTS_PER_SECOND', '1e3', /whole number/],
    ['SCRAPEWATCH_SPOOL_MAX_BYTES', '0', /between 1/],
    ['SCRAPEWATCH_LIVE_TICK_MS', '-5', /whole number/],
    ['SCRAPEWATCH_LIVE_MAX_FRAME_BYTES', '100', /between 1024/],
    ['SCRAPEWATCH_LIVE_LINGER_MS', '5', /replaced by SCRAPEWATCH_LIVE_TICK_MS/],
    ['SCRAPEWATCH_HEARTBEAT_INTERVAL_MS', '10', /between 100/],
    ['SCRAPEWATCH_MAX_SUBSCRIBERS', '0', /between 1/],
    ['SCRAPEWATCH_LOG_LEVEL', 'verbose', /one of/],
  ])('refuses %s=%s naming the variable', (name, value, reason) => {
    const error = failure({ [name]: value });
    expect(error.variable).toBe(name);
    expect(error.message).toMatch(new RegExp(`^${name}: `));
    expect(error.message).toMatch(reason);
  });

  it('refuses an unknown SCRAPEWATCH_* variable, naming it', () => {
    const error = failure({ SCRAPEWATCH_PROT: '8080' });
    expect(error.variable).toBe('SCRAPEWATCH_PROT');
    expect(error.message).toMatch(/unknown variable/);
  });

  it('ignores the SDK, demo and compose variables of the same prefix', () => {
    const env: NodeJS.ProcessEnv = { SCRAPEWATCH_AUTH: 'off' };
    for (const name of OTHER_COMPONENTS_VARIABLES) env[name] = 'x';
    expect(() => loadConfig(env)).not.toThrow();
  });

  it('does not echo a token in its message', () => {
    const error = failure({ SCRAPEWATCH_INGEST_TOKENS: `${TOKEN_A},tooshortsecret` });
    expect(error.message).not.toContain('tooshortsecret');
    expect(error.message).toMatch(/entry 2/);
  });

  it('refuses a non-loopback host with auth on and no ingest token', () => {
    const error = failure({ SCRAPEWATCH_HOST: '0.0.0.0' });
    expect(error.variable).toBe('SCRAPEWATCH_HOST');
    expect(error.message).toMatch(/SCRAPEWATCH_INGEST_TOKENS/);
    expect(error.message).toMatch(/SCRAPEWATCH_AUTH=off/);
    expect(loadConfig({ SCRAPEWATCH_HOST: '0.0.0.0', SCRAPEWATCH_AUTH: 'off' }).host).toBe(
      '0.0.0.0',
    );
    expect(
      loadConfig({ SCRAPEWATCH_HOST: '0.0.0.0', SCRAPEWATCH_INGEST_TOKENS: TOKEN_A }).host,
    ).toBe('0.0.0.0');
    expect(loadConfig({ SCRAPEWATCH_HOST: 'localhost' }).host).toBe('localhost');
    expect(loadConfig({ SCRAPEWATCH_HOST: '::1' }).host).toBe('::1');
  });
});

describe('loadConfig: cluster mode', () => {
  it('stays in single-process mode without SCRAPEWATCH_NATS_URL', () => {
    expect(loadConfig({}).cluster).toBeUndefined();
  });

  it('reads the NATS servers and the stream settings, with defaults', () => {
    const config = loadConfig({
      SCRAPEWATCH_NATS_URL: 'nats://n1:4222, nats://n2:4222,',
      SCRAPEWATCH_NATS_REPLICAS: '3',
    });
    expect(config.cluster).toEqual({
      natsServers: ['nats://n1:4222', 'nats://n2:4222'],
      streamName: 'SCRAPEWATCH_EVENTS',
      replicas: 3,
      maxAgeMs: 86_400_000,
      publishTimeoutMs: 5_000,
    });
  });

  it.each([
    [{ SCRAPEWATCH_NATS_URL: 'http://n1:4222' }, 'SCRAPEWATCH_NATS_URL', /nats: or tls:/],
    [{ SCRAPEWATCH_NATS_URL: 'not a url' }, 'SCRAPEWATCH_NATS_URL', /not a URL/],
    [{ SCRAPEWATCH_NATS_URL: ',' }, 'SCRAPEWATCH_NATS_URL', /names no server/],
    [
      { SCRAPEWATCH_NATS_URL: 'nats://n1', SCRAPEWATCH_NATS_REPLICAS: '7' },
      'SCRAPEWATCH_NATS_REPLICAS',
      /between 1 and 5/,
    ],
    [
      { SCRAPEWATCH_NATS_URL: 'nats://n1', SCRAPEWATCH_NATS_STREAM: 'bad.name' },
      'SCRAPEWATCH_NATS_STREAM',
      /letters, digits/,
    ],
    [{ SCRAPEWATCH_NATS_REPLICAS: '3' }, 'SCRAPEWATCH_NATS_REPLICAS', /set SCRAPEWATCH_NATS_URL/],
  ])('refuses %j naming %s', (env, variable, reason) => {
    const error = failure(env);
    expect(error.variable).toBe(variable);
    expect(error.message).toMatch(reason);
  });
});
