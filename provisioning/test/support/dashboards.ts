import type { Dashboard, Panel, RowPanel } from '@grafana/grafana-foundation-sdk/dashboard';

export interface Target {
  readonly refId?: string;
  readonly datasource?: { type?: string; uid?: string };
  readonly rawSql?: string;
  readonly format?: number;
  readonly scrapers?: string[];
  readonly [key: string]: unknown;
}

export type AnyPanel = Omit<Panel, 'targets'> & { targets?: Target[] };

/** Every non-row panel of a dashboard, including those inside collapsed rows. */
export function panelsOf(dashboard: Dashboard): AnyPanel[] {
  const out: AnyPanel[] = [];
  for (const p of dashboard.panels ?? []) {
    if ((p as RowPanel).type === 'row') {
      out.push(...(((p as RowPanel).panels ?? []) as unknown as AnyPanel[]));
    } else {
      out.push(p as unknown as AnyPanel);
    }
  }
  return out;
}

export function panelByTitle(dashboard: Dashboard, title: string): AnyPanel {
  const panel = panelsOf(dashboard).find((p) => p.title === title);
  if (!panel) throw new Error(`no panel "${title}" in ${dashboard.uid}`);
  return panel;
}

export function sqlOf(panel: AnyPanel): string {
  const sql = panel.targets?.[0]?.rawSql;
  if (!sql) throw new Error(`panel "${panel.title}" has no SQL target`);
  return sql;
}
