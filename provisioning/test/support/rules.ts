import { ALERT_RULES, type AlertRuleDefinition } from '../../src/alerting/rules';
import {
  type Instance,
  type Results,
  evaluateExpression,
  ruleStates,
  tableToNumbers,
} from './expressions';
import { expandQuestDbMacros } from '../../src/grafana/interpolation';
import { query } from './questdb';

/** Evaluates a rule the way Grafana's scheduler does at `nowMs`: queries, expressions, states. */
export async function evaluateRule(
  pgUrl: string,
  rule: AlertRuleDefinition,
  nowMs: number,
): Promise<Instance[]> {
  const results: Record<string, Results> = {};
  for (const q of rule.queries) {
    const sql = expandQuestDbMacros(q.sql, {
      fromMs: nowMs - q.relativeSeconds * 1000,
      toMs: nowMs,
      intervalMs: 60_000,
    });
    results[q.refId] = tableToNumbers(await query(pgUrl, sql));
  }
  for (const expression of rule.expressions)
    results[expression.refId] = evaluateExpression(expression, results);
  const condition = results[rule.condition];
  if (!condition) throw new Error(`${rule.uid}: condition ${rule.condition} is not computed`);
  return ruleStates(condition, rule.noDataState);
}

export function ruleByUid(uid: string): AlertRuleDefinition {
  const found = ALERT_RULES.find((r) => r.uid === uid);
  if (!found) throw new Error(uid);
  return found;
}
