import {
  expandQuestDbMacros,
  interpolateVariables,
  sampleByInterval,
} from '../src/grafana/interpolation';

// The reproduction of Grafana's and the QuestDB plugin's query rewriting the query tests rely on.
describe('QuestDB plugin macros', () => {
  it.each([
    [5 * 60_000, '300s'],
    [1_000, '1s'],
    [500, '500T'],
    [0.2, '1T'],
    [3_600_000, '1h'],
    [5_400_000, '1h'],
    [24 * 3_600_000, '1d'],
    [36 * 3_600_000, '1d'],
    [48 * 3_600_000, '2d'],
    [24.5 * 3_600_000, '24h'],
  ])('$__sampleByInterval of %d ms is %s', (intervalMs, expected) => {
    expect(sampleByInterval(intervalMs)).toBe(expected);
  });

  it('expands the time macros to epoch microseconds', () => {
    const range = { fromMs: 1_700_000_000_000, toMs: 1_700_000_060_000, intervalMs: 60_000 };
    expect(
      expandQuestDbMacros(
        'WHERE $__timeFilter(ts) AND x > $__fromTime AND y < $__toTime SAMPLE BY $__sampleByInterval',
        range,
      ),
    ).toBe(
      'WHERE ts >= cast(1700000000000000 as timestamp) AND ts <= cast(1700000060000000 as timestamp) ' +
        'AND x > cast(1700000000000000 as timestamp) AND y < cast(1700000060000000 as timestamp) SAMPLE BY 60s',
    );
  });
});

describe('Grafana variable interpolation', () => {
  const options = ['a', 'b', 'c'];

  it('singlequote quotes every value, All expands to every option', () => {
    expect(
      interpolateVariables('IN (${scraper:singlequote})', { scraper: { options, current: 'All' } }),
    ).toBe("IN ('a','b','c')");
    expect(
      interpolateVariables('IN (${scraper:singlequote})', { scraper: { options, current: ['b'] } }),
    ).toBe("IN ('b')");
  });

  it("the QuestDB plugin's own formatter quotes arrays only", () => {
    expect(
      interpolateVariables('IN ($scraper)', { scraper: { options, current: ['a', 'b'] } }),
    ).toBe("IN ('a','b')");
  });

  it('regex format and unknown names', () => {
    expect(interpolateVariables('${scraper:regex}', { scraper: { options, current: 'All' } })).toBe(
      '(a|b|c)',
    );
    expect(
      interpolateVariables('${scraper:regex}', {
        scraper: { options: ['shop.v2'], current: 'All' },
      }),
    ).toBe('shop\\.v2');
    expect(
      interpolateVariables('$__timeFilter(ts) $other', { scraper: { options, current: 'All' } }),
    ).toBe('$__timeFilter(ts) $other');
  });
});
