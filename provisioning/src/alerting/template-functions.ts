/**
 * Functions an alert rule's annotation and label templates may call in Grafana (and in a
 * notification template, which is the same Go text/template engine).
 *
 * Sources:
 * - Grafana's own functions: "Template functions" in Grafana's alerting documentation
 *   (grafana.com/docs/grafana/latest/alerting/alerting-rules/templates/reference/, section
 *   Functions; earlier pages alerting/fundamentals/annotation-label/template-functions/).
 * - Go's predefined text/template functions (pkg.go.dev/text/template, "Functions"), which
 *   Grafana's templates are written in.
 *
 * Anything else (`mul`, `div`, sprig's helpers, ...) is not documented and fails the template
 * at evaluation, which leaves the annotation holding the error text instead of the message.
 */
export const GRAFANA_TEMPLATE_FUNCTIONS = Object.freeze([
  'humanize',
  'humanize1024',
  'humanizeDuration',
  'humanizePercentage',
  'humanizeTimestamp',
  'title',
  'toUpper',
  'toLower',
  'match',
  'reReplaceAll',
  'graphLink',
  'tableLink',
  'args',
  'externalURL',
  'pathPrefix',
] as const);

export const GO_TEMPLATE_FUNCTIONS = Object.freeze([
  'and',
  'call',
  'html',
  'index',
  'slice',
  'js',
  'len',
  'not',
  'or',
  'print',
  'printf',
  'println',
  'urlquery',
  'eq',
  'ne',
  'lt',
  'le',
  'gt',
  'ge',
] as const);

/** Every function name a provisioned template may use. */
export const DOCUMENTED_TEMPLATE_FUNCTIONS: ReadonlySet<string> = new Set([
  ...GRAFANA_TEMPLATE_FUNCTIONS,
  ...GO_TEMPLATE_FUNCTIONS,
]);

/** Keywords and literals of the template language: not function calls. */
const KEYWORDS = new Set([
  'if',
  'else',
  'end',
  'range',
  'with',
  'define',
  'template',
  'block',
  'break',
  'continue',
  'nil',
  'true',
  'false',
]);

/**
 * The function names called in a Go template: every bare identifier inside `{{ … }}` that is not a
 * keyword, a variable (`$x`), a field (`.X`, `$x.Y`), a string, a number or a comment.
 */
export function templateFunctionNames(template: string): string[] {
  const names = new Set<string>();
  for (const action of template.matchAll(/{{-?([\s\S]*?)-?}}/g)) {
    const body = (action[1] ?? '')
      .replace(/\/\*[\s\S]*?\*\//g, ' ')
      .replace(/"(?:[^"\\]|\\.)*"|`[^`]*`|'(?:[^'\\]|\\.)*'/g, ' ');
    for (const token of body.matchAll(/(^|[^\w$.])([A-Za-z_][A-Za-z0-9_]*)/g)) {
      const name = token[2] ?? '';
      if (!KEYWORDS.has(name)) names.add(name);
    }
  }
  return [...names].sort();
}
