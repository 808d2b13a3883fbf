import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import {
  DOCUMENTED_TEMPLATE_FUNCTIONS,
  templateFunctionNames,
} from '../src/alerting/template-functions';

const ROOT = path.resolve(__dirname, '..');
const PROVISIONED_ALERTING = ['alerting/rules.yaml', 'alerting/notifications.yaml'];

/** Every string in a parsed YAML document that holds a Go template action, with its path. */
function templates(
  value: unknown,
  where: string,
  out: [string, string][] = [],
): [string, string][] {
  if (typeof value === 'string') {
    if (value.includes('{{')) out.push([where, value]);
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => templates(item, `${where}[${index}]`, out));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) templates(item, `${where}.${key}`, out);
  }
  return out;
}

describe('alert templates use documented functions only', () => {
  it('finds the functions a template calls, and nothing else', () => {
    expect(
      templateFunctionNames(
        '{{ $labels.scraper }} at {{ printf "%.0f" (mul $values.B.Value 100) }}% ' +
          '{{- if gt $values.B.Value 0.5 }} high{{ else }}{{ humanizePercentage .Value | toUpper }}{{ end }}' +
          '{{ /* len is a comment */ }}{{ index $labels "mul.div" }}',
      ),
    ).toEqual(['gt', 'humanizePercentage', 'index', 'mul', 'printf', 'toUpper']);
  });

  it('every function named in every provisioned alerting template is on the documented list', () => {
    const found: [string, string][] = [];
    for (const file of PROVISIONED_ALERTING)
      templates(parse(readFileSync(path.join(ROOT, file), 'utf8')), file, found);
    // The rules carry templated summaries and descriptions: the walk must see them.
    expect(
      found.filter(([where]) => where.startsWith('alerting/rules.yaml')).length,
    ).toBeGreaterThan(10);
    const undocumented = found.flatMap(([where, text]) =>
      templateFunctionNames(text)
        .filter((name) => !DOCUMENTED_TEMPLATE_FUNCTIONS.has(name))
        .map((name) => `${where}: ${name}`),
    );
    expect(undocumented).toEqual([]);
  });
});
