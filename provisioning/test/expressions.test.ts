import { math, reduce, threshold } from '../src/alerting/expressions';
import { type Results, evaluateExpression, ruleStates } from './support/expressions';

// The evaluator the alert tests rely on, against Grafana's documented semantics.
const numbers = (...values: [Record<string, string>, number | null][]): Results => ({
  kind: 'numbers',
  values: values.map(([labels, value]) => ({ labels, value })),
});

describe('server-side expression model', () => {
  const series: Results = {
    kind: 'series',
    values: [{ labels: { scraper: 'a' }, points: [1, null, 3, Number.NaN, 5] }],
  };

  it.each([
    ['last', 5],
    ['mean', 3],
    ['max', 5],
    ['min', 1],
    ['sum', 9],
    ['count', 3],
  ] as const)('reduce %s drops non-numbers in dropNN mode', (reducer, expected) => {
    const out = evaluateExpression(reduce('B', 'A', reducer, 'dropNN'), { A: series });
    expect(out).toEqual(numbers([{ scraper: 'a' }, expected]));
  });

  it('reduce strict mode yields NaN when a point is not a number; replaceNN substitutes', () => {
    const strict = evaluateExpression(reduce('B', 'A', 'sum', ''), { A: series });
    expect(strict.kind === 'numbers' && Number.isNaN(strict.values[0]?.value)).toBe(true);
    const replaced = evaluateExpression(
      {
        ...reduce('B', 'A', 'sum', 'replaceNN'),
        settings: { mode: 'replaceNN', replaceWithValue: 10 },
      },
      { A: series },
    );
    expect(replaced).toEqual(numbers([{ scraper: 'a' }, 29]));
  });

  it('reduce passes numbers through and drops nulls in dropNN mode', () => {
    const out = evaluateExpression(reduce('B', 'A', 'last'), {
      A: numbers([{ s: 'a' }, 2], [{ s: 'b' }, null]),
    });
    expect(out).toEqual(numbers([{ s: 'a' }, 2]));
  });

  it.each([
    ['gt', [5], [1, 0, 0]],
    ['lt', [5], [0, 0, 1]],
    ['within_range', [4, 8], [1, 1, 0]],
    ['outside_range', [4, 8], [0, 0, 1]],
  ] as const)('threshold %s', (type, params, expected) => {
    const input = numbers([{ s: 'a' }, 6], [{ s: 'b' }, 5], [{ s: 'c' }, 1]);
    const out = evaluateExpression(threshold('C', 'B', type, [...params]), { B: input });
    expect(out.kind === 'numbers' && out.values.map((v) => v.value)).toEqual(expected);
  });

  it('math joins by labels and supports comparison, logic and arithmetic', () => {
    const B = numbers([{ job: 'x' }, 0], [{ job: 'y' }, 2]);
    const D = numbers([{ job: 'x' }, 400_000], [{ job: 'y' }, 0]);
    expect(evaluateExpression(math('E', '$B > 0 || $D > 300000'), { B, D })).toEqual(
      numbers([{ job: 'x' }, 1], [{ job: 'y' }, 1]),
    );
    expect(evaluateExpression(math('E', '$B > 0 && $D > 300000'), { B, D })).toEqual(
      numbers([{ job: 'x' }, 0], [{ job: 'y' }, 0]),
    );
    expect(evaluateExpression(math('E', '($B + 1) * 2 - abs(-1)'), { B })).toEqual(
      numbers([{ job: 'x' }, 1], [{ job: 'y' }, 5]),
    );
    expect(evaluateExpression(math('E', '$B'), { B: { kind: 'nodata' } })).toEqual({
      kind: 'nodata',
    });
  });

  it('rule states: non-zero fires, zero is normal, no data follows noDataState', () => {
    expect(ruleStates(numbers([{ s: 'a' }, 1], [{ s: 'b' }, 0]), 'OK').map((i) => i.state)).toEqual(
      ['Alerting', 'Normal'],
    );
    expect(ruleStates({ kind: 'nodata' }, 'Alerting')[0]?.state).toBe('Alerting');
    expect(ruleStates({ kind: 'nodata' }, 'OK')[0]?.state).toBe('Normal');
    expect(ruleStates({ kind: 'nodata' }, 'NoData')[0]?.state).toBe('NoData');
  });
});
