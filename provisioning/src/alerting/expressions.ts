import { EXPRESSION_DATASOURCE_UID } from '../grafana/datasources';

/** Grafana server-side expression models (datasourceUid `__expr__`) as alert rules store them. */
export type ReducerName = 'last' | 'mean' | 'max' | 'min' | 'sum' | 'count';
export type ReduceMode = '' | 'dropNN' | 'replaceNN';
export type ThresholdType = 'gt' | 'lt' | 'within_range' | 'outside_range';

const EXPR_DATASOURCE = Object.freeze({
  type: EXPRESSION_DATASOURCE_UID,
  uid: EXPRESSION_DATASOURCE_UID,
});

export interface ReduceModel {
  refId: string;
  type: 'reduce';
  expression: string;
  reducer: ReducerName;
  settings: { mode: ReduceMode; replaceWithValue?: number };
  datasource: { type: string; uid: string };
}

export interface ThresholdModel {
  refId: string;
  type: 'threshold';
  expression: string;
  conditions: { evaluator: { type: ThresholdType; params: number[] } }[];
  datasource: { type: string; uid: string };
}

export interface MathModel {
  refId: string;
  type: 'math';
  expression: string;
  datasource: { type: string; uid: string };
}

export type ExpressionModel = ReduceModel | ThresholdModel | MathModel;

export function reduce(
  refId: string,
  input: string,
  reducer: ReducerName,
  mode: ReduceMode = 'dropNN',
): ReduceModel {
  return {
    refId,
    type: 'reduce',
    expression: input,
    reducer,
    settings: { mode },
    datasource: { ...EXPR_DATASOURCE },
  };
}

export function threshold(
  refId: string,
  input: string,
  type: ThresholdType,
  params: number[],
): ThresholdModel {
  return {
    refId,
    type: 'threshold',
    expression: input,
    conditions: [{ evaluator: { type, params } }],
    datasource: { ...EXPR_DATASOURCE },
  };
}

export function math(refId: string, expression: string): MathModel {
  return { refId, type: 'math', expression, datasource: { ...EXPR_DATASOURCE } };
}
