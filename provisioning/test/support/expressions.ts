/**
 * A small, faithful model of Grafana's server-side expressions (pkg/expr) as alert rules use
 * them, for numeric ("table") query results:
 * - a SQL table with one numeric column becomes one Number per row, labelled by its string
 *   columns; an empty table is NoData;
 * - reduce over a Number passes it through the NaN/null mapper (strict: keep NaN, dropNN: drop
 *   the instance, replaceNN: substitute); over a Series it applies the mapper to every point,
 *   then last/mean/max/min/sum/count;
 * - math evaluates per label set: two sets combine where one label set equals or contains the
 *   other; comparisons and logic yield 1/0;
 * - threshold: gt, lt, within_range (exclusive), outside_range (exclusive), yielding 1/0.
 * The rule's state per instance: NoData when the condition has no data (then noDataState
 * decides), Alerting when the condition value is non-zero, Normal when zero. The `for` period
 * only delays Alerting (Pending first) and is not modelled.
 */
import type { ExpressionModel, ReduceModel } from '../../src/alerting/expressions';
import type { ResultTable } from './questdb';

export type Labels = Readonly<Record<string, string>>;

export interface NumberValue {
  readonly labels: Labels;
  readonly value: number | null;
}

export interface SeriesValue {
  readonly labels: Labels;
  readonly points: readonly (number | null)[];
}

export type Results =
  | { kind: 'nodata' }
  | { kind: 'numbers'; values: NumberValue[] }
  | { kind: 'series'; values: SeriesValue[] };

/** A table result as Grafana alerting reads it: string columns label, the numeric column is the value. */
export function tableToNumbers(table: ResultTable): Results {
  const numeric = table.columns.filter((c) => c.numeric);
  if (numeric.length !== 1) {
    throw new Error(
      `a table for alerting needs exactly one numeric column, got ${numeric.map((c) => c.name).join(', ')}`,
    );
  }
  if (table.rows.length === 0) return { kind: 'nodata' };
  const valueColumn = numeric[0]!.name;
  const labelColumns = table.columns.filter((c) => !c.numeric && !c.time).map((c) => c.name);
  return {
    kind: 'numbers',
    values: table.rows.map((row) => {
      const labels: Record<string, string> = {};
      for (const name of labelColumns) {
        const v = row[name];
        if (v !== null && v !== undefined && v !== '') labels[name] = String(v);
      }
      const raw = row[valueColumn];
      return { labels, value: raw === null || raw === undefined ? null : Number(raw) };
    }),
  };
}

function mapValue(value: number | null, model: ReduceModel): number | null | 'drop' {
  const bad = value === null || Number.isNaN(value) || !Number.isFinite(value);
  if (!bad) return value;
  switch (model.settings.mode) {
    case 'dropNN':
      return 'drop';
    case 'replaceNN':
      return model.settings.replaceWithValue ?? 0;
    default:
      return Number.NaN;
  }
}

function reduceSeries(points: readonly number[], reducer: ReduceModel['reducer']): number {
  if (reducer === 'count') return points.length;
  if (reducer === 'sum') return points.reduce((a, b) => a + b, 0);
  if (points.length === 0) return Number.NaN;
  switch (reducer) {
    case 'last':
      return points[points.length - 1]!;
    case 'mean':
      return points.reduce((a, b) => a + b, 0) / points.length;
    case 'max':
      return Math.max(...points);
    case 'min':
      return Math.min(...points);
  }
}

function reduce(model: ReduceModel, input: Results): Results {
  if (input.kind === 'nodata') return input;
  const values: NumberValue[] = [];
  if (input.kind === 'numbers') {
    for (const n of input.values) {
      const mapped = mapValue(n.value, model);
      if (mapped !== 'drop') values.push({ labels: n.labels, value: mapped });
    }
  } else {
    for (const s of input.values) {
      const points: number[] = [];
      for (const p of s.points) {
        const mapped = mapValue(p, model);
        if (mapped !== 'drop' && mapped !== null) points.push(mapped);
      }
      values.push({ labels: s.labels, value: reduceSeries(points, model.reducer) });
    }
  }
  return { kind: 'numbers', values };
}

function threshold(
  model: Extract<ExpressionModel, { type: 'threshold' }>,
  input: Results,
): Results {
  if (input.kind !== 'numbers') throw new Error('threshold expects numbers (reduce first)');
  const condition = model.conditions[0];
  if (!condition) throw new Error('threshold without a condition');
  const [a = Number.NaN, b = Number.NaN] = condition.evaluator.params;
  const test = (v: number): boolean => {
    switch (condition.evaluator.type) {
      case 'gt':
        return v > a;
      case 'lt':
        return v < a;
      case 'within_range':
        return v > a && v < b;
      case 'outside_range':
        return v < a || v > b;
    }
  };
  return {
    kind: 'numbers',
    values: input.values.map((n) => ({
      labels: n.labels,
      value: n.value === null ? null : test(n.value) ? 1 : 0,
    })),
  };
}

// ---- math: a tokenizer and a precedence-climbing parser over $RefId, numbers and operators ----

type Token =
  | { t: 'num'; v: number }
  | { t: 'var'; v: string }
  | { t: 'op'; v: string }
  | { t: 'fn'; v: string };

function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  const re =
    /\s*(?:(\d+(?:\.\d+)?(?:e[+-]?\d+)?)|\$\{?([A-Za-z_]\w*)\}?|(abs|log|ceil|floor|round)\s*(?=\()|(&&|\|\||==|!=|>=|<=|[-+*/%()<>!]))/gy;
  let match: RegExpExecArray | null;
  let index = 0;
  while (index < expression.length && (match = re.exec(expression)) !== null) {
    index = re.lastIndex;
    if (match[1] !== undefined) tokens.push({ t: 'num', v: Number(match[1]) });
    else if (match[2] !== undefined) tokens.push({ t: 'var', v: match[2] });
    else if (match[3] !== undefined) tokens.push({ t: 'fn', v: match[3] });
    else if (match[4] !== undefined) tokens.push({ t: 'op', v: match[4] });
  }
  if (expression.slice(index).trim() !== '')
    throw new Error(`math: cannot parse "${expression.slice(index)}"`);
  return tokens;
}

type Value = { scalar: number } | { set: NumberValue[] } | 'nodata';

const PRECEDENCE: Record<string, number> = {
  '||': 1,
  '&&': 2,
  '==': 3,
  '!=': 3,
  '<': 4,
  '>': 4,
  '<=': 4,
  '>=': 4,
  '+': 5,
  '-': 5,
  '*': 6,
  '/': 6,
  '%': 6,
};

function applyBinary(op: string, a: number, b: number): number {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return a / b;
    case '%':
      return a % b;
    case '>':
      return a > b ? 1 : 0;
    case '<':
      return a < b ? 1 : 0;
    case '>=':
      return a >= b ? 1 : 0;
    case '<=':
      return a <= b ? 1 : 0;
    case '==':
      return a === b ? 1 : 0;
    case '!=':
      return a !== b ? 1 : 0;
    case '&&':
      return a !== 0 && b !== 0 ? 1 : 0;
    case '||':
      return a !== 0 || b !== 0 ? 1 : 0;
    default:
      throw new Error(`math: unknown operator ${op}`);
  }
}

function contains(outer: Labels, inner: Labels): boolean {
  return Object.entries(inner).every(([k, v]) => outer[k] === v);
}

function combine(op: string, left: Value, right: Value): Value {
  if (left === 'nodata' || right === 'nodata') return 'nodata';
  const num = (v: number | null): number => (v === null ? Number.NaN : v);
  if ('scalar' in left && 'scalar' in right)
    return { scalar: applyBinary(op, left.scalar, right.scalar) };
  if ('scalar' in left && 'set' in right) {
    return {
      set: right.set.map((n) => ({
        labels: n.labels,
        value: applyBinary(op, left.scalar, num(n.value)),
      })),
    };
  }
  if ('set' in left && 'scalar' in right) {
    return {
      set: left.set.map((n) => ({
        labels: n.labels,
        value: applyBinary(op, num(n.value), right.scalar),
      })),
    };
  }
  const l = left as { set: NumberValue[] };
  const r = right as { set: NumberValue[] };
  const out: NumberValue[] = [];
  for (const a of l.set) {
    for (const b of r.set) {
      if (contains(a.labels, b.labels) || contains(b.labels, a.labels)) {
        const labels =
          Object.keys(a.labels).length >= Object.keys(b.labels).length ? a.labels : b.labels;
        out.push({ labels, value: applyBinary(op, num(a.value), num(b.value)) });
      }
    }
  }
  return out.length === 0 ? 'nodata' : { set: out };
}

function unary(op: string, v: Value): Value {
  const f = (x: number): number => (op === '-' ? -x : x === 0 ? 1 : 0);
  if (v === 'nodata') return v;
  if ('scalar' in v) return { scalar: f(v.scalar) };
  return {
    set: v.set.map((n) => ({ labels: n.labels, value: n.value === null ? null : f(n.value) })),
  };
}

function callFn(name: string, v: Value): Value {
  const f: (x: number) => number =
    name === 'abs'
      ? Math.abs
      : name === 'log'
        ? Math.log
        : name === 'ceil'
          ? Math.ceil
          : name === 'floor'
            ? Math.floor
            : Math.round;
  if (v === 'nodata') return v;
  if ('scalar' in v) return { scalar: f(v.scalar) };
  return {
    set: v.set.map((n) => ({ labels: n.labels, value: n.value === null ? null : f(n.value) })),
  };
}

function evaluateMath(expression: string, vars: Readonly<Record<string, Results>>): Results {
  const tokens = tokenize(expression);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const primary = (): Value => {
    const token = tokens[pos++];
    if (!token) throw new Error(`math: unexpected end of "${expression}"`);
    if (token.t === 'num') return { scalar: token.v };
    if (token.t === 'var') {
      const r = vars[token.v];
      if (!r) throw new Error(`math: $${token.v} is not defined`);
      if (r.kind === 'nodata') return 'nodata';
      if (r.kind === 'series') throw new Error('math over series is not modelled: reduce first');
      return { set: r.values };
    }
    if (token.t === 'fn') {
      pos += 1; // (
      const inner = binary(0);
      pos += 1; // )
      return callFn(token.v, inner);
    }
    if (token.v === '(') {
      const inner = binary(0);
      if (tokens[pos++]?.v !== ')') throw new Error(`math: missing ) in "${expression}"`);
      return inner;
    }
    if (token.v === '-' || token.v === '!') return unary(token.v, primary());
    throw new Error(`math: unexpected ${token.v}`);
  };
  const binary = (minPrecedence: number): Value => {
    let left = primary();
    for (;;) {
      const next = peek();
      if (next?.t !== 'op') return left;
      const precedence = PRECEDENCE[next.v];
      if (precedence === undefined || precedence < minPrecedence) return left;
      pos += 1;
      const right = binary(precedence + 1);
      left = combine(next.v, left, right);
    }
  };
  const result = binary(0);
  if (pos !== tokens.length) throw new Error(`math: trailing tokens in "${expression}"`);
  if (result === 'nodata') return { kind: 'nodata' };
  if ('scalar' in result)
    return { kind: 'numbers', values: [{ labels: {}, value: result.scalar }] };
  return { kind: 'numbers', values: result.set };
}

export function evaluateExpression(
  model: ExpressionModel,
  results: Readonly<Record<string, Results>>,
): Results {
  switch (model.type) {
    case 'reduce': {
      const input = results[model.expression];
      if (!input) throw new Error(`reduce ${model.refId}: no input ${model.expression}`);
      return reduce(model, input);
    }
    case 'threshold': {
      const input = results[model.expression];
      if (!input) throw new Error(`threshold ${model.refId}: no input ${model.expression}`);
      return input.kind === 'nodata' ? input : threshold(model, input);
    }
    case 'math':
      return evaluateMath(model.expression, results);
  }
}

export type InstanceState = 'Alerting' | 'Normal' | 'NoData' | 'Error';

export interface Instance {
  readonly labels: Labels;
  readonly state: InstanceState;
  readonly value: number | null;
}

/** The states a rule's evaluation yields, after noDataState is applied. */
export function ruleStates(
  condition: Results,
  noDataState: 'OK' | 'NoData' | 'Alerting' | 'KeepLast',
): Instance[] {
  if (
    condition.kind === 'nodata' ||
    (condition.kind === 'numbers' && condition.values.length === 0)
  ) {
    const state: InstanceState =
      noDataState === 'Alerting' ? 'Alerting' : noDataState === 'OK' ? 'Normal' : 'NoData';
    return [{ labels: {}, state, value: null }];
  }
  if (condition.kind === 'series') throw new Error('a rule condition must be reduced to numbers');
  return condition.values.map((n) => ({
    labels: n.labels,
    value: n.value,
    state:
      n.value === null || Number.isNaN(n.value) ? 'Error' : n.value !== 0 ? 'Alerting' : 'Normal',
  }));
}
