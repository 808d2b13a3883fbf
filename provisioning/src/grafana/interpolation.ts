/**
 * What happens to a QuestDB panel or rule query before it reaches QuestDB, reproduced for tests and benchmarks:
 * 1. Grafana's template service replaces variables (frontend; dashboards only). Explicit formats
 *    (`${name:singlequote}`) win over the data source's formatter; the QuestDB plugin's formatter
 *    joins arrays as `'a','b'` and leaves strings unquoted. A multi variable set to All expands to
 *    every option's value.
 * 2. The plugin backend expands its macros (pkg/macros/macros.go of questdb-questdb-datasource).
 */

export interface TimeRange {
  readonly fromMs: number;
  readonly toMs: number;
  /** The query interval Grafana derives from the range and the panel width. */
  readonly intervalMs: number;
}

/** `$__sampleByInterval` as the plugin renders it from the query interval. */
export function sampleByInterval(intervalMs: number): string {
  const intervalHours = intervalMs / 3_600_000;
  const hours = Math.max(Math.trunc(intervalHours), 0);
  const seconds = Math.max(Math.trunc(intervalMs / 1000), 0);
  if (hours > 0) {
    if (hours >= 24 && intervalHours === hours) return `${Math.trunc(hours / 24)}d`;
    return `${hours}h`;
  }
  if (seconds > 0) return `${seconds}s`;
  return `${Math.max(Math.trunc(intervalMs), 1)}T`;
}

const micros = (ms: number): string => String(Math.trunc(ms) * 1000);

export function expandQuestDbMacros(sql: string, range: TimeRange): string {
  return sql
    .replace(/\$__timeFilter\(([^)]*)\)/g, (_m, column: string) => {
      const c = column.trim();
      return `${c} >= cast(${micros(range.fromMs)} as timestamp) AND ${c} <= cast(${micros(range.toMs)} as timestamp)`;
    })
    .replace(/\$__fromTime\b/g, `cast(${micros(range.fromMs)} as timestamp)`)
    .replace(/\$__toTime\b/g, `cast(${micros(range.toMs)} as timestamp)`)
    .replace(/\$__sampleByInterval\b/g, sampleByInterval(range.intervalMs));
}

export interface MultiVariable {
  /** Every option of the variable (what All expands to). */
  readonly options: readonly string[];
  /** Selected values, or 'All'. */
  readonly current: readonly string[] | 'All';
}

function questDbFormat(value: string | readonly string[]): string {
  return Array.isArray(value) ? `'${value.join("','")}'` : String(value);
}

function formatAs(format: string | undefined, value: readonly string[]): string {
  switch (format) {
    case undefined:
      return questDbFormat(value);
    case 'singlequote':
      return value.map((v) => `'${v.replace(/'/g, "\\'")}'`).join(',');
    case 'doublequote':
      return value.map((v) => `"${v.replace(/"/g, '\\"')}"`).join(',');
    case 'csv':
      return value.join(',');
    case 'regex': {
      const escaped = value.map((v) => v.replace(/[\\^$*+?.()|[\]{}/]/g, '\\$&'));
      return escaped.length === 1 ? escaped[0]! : `(${escaped.join('|')})`;
    }
    case 'pipe':
      return value.join('|');
    default:
      throw new Error(`variable format ${format} is not reproduced by this test support`);
  }
}

/** Grafana's `$name`, `${name}`, `${name:format}` and `[[name]]` replacement for multi variables. */
export function interpolateVariables(
  text: string,
  variables: Readonly<Record<string, MultiVariable>>,
): string {
  return text.replace(
    /\$(\w+)|\$\{(\w+)(?::(\w+))?\}|\[\[(\w+)(?::(\w+))?\]\]/g,
    (match, plain?: string, braced?: string, bracedFmt?: string, old?: string, oldFmt?: string) => {
      const name = plain ?? braced ?? old ?? '';
      const variable = variables[name];
      if (!variable) return match;
      const value = variable.current === 'All' ? variable.options : variable.current;
      return formatAs(bracedFmt ?? oldFmt, value);
    },
  );
}
