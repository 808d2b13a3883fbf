/**
 * Reads one sample from Prometheus text exposition: the value of the first series named `name`
 * (with or without labels). Undefined when the collector does not expose it.
 */
export function promSample(text: string, name: string): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    const valueText = rest.startsWith('{') ? rest.slice(rest.indexOf('}') + 1) : rest;
    const value = Number(valueText.trim().split(/\s+/)[0]);
    if (Number.isFinite(value)) return value;
  }
  return undefined;
}
