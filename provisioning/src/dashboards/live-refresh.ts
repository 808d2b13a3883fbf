/**
 * A dashboard auto-refresh re-runs every panel's query: a live panel's stream is torn down and
 * re-opened, and its visible range is read again from the collector's history. Dashboards whose
 * panels all stream need no refresh at all. On a dashboard that refreshes for its history panels,
 * each live panel is listed here with the reason it may be restarted; its description says so
 * too. A test holds every provisioned dashboard to this.
 */
export interface LiveRefreshExemption {
  readonly dashboardUid: string;
  readonly panelId: number;
  readonly reason: string;
}

const RESTART_REASON =
  'The dashboard refreshes every 30 s for its history panels; each refresh restarts this live ' +
  'panel, which first re-reads its visible range from the collector, so it loses nothing.';

export const LIVE_REFRESH_EXEMPTIONS: readonly LiveRefreshExemption[] = Object.freeze([
  { dashboardUid: 'scrapewatch-navigation', panelId: 1, reason: RESTART_REASON },
  { dashboardUid: 'scrapewatch-scraping', panelId: 1, reason: RESTART_REASON },
  // The live field fill rate (field-coverage.ts): its 5-minute windows are re-read too.
  { dashboardUid: 'scrapewatch-scraping', panelId: 11, reason: RESTART_REASON },
]);

/** The sentence a live panel on a refreshing dashboard adds to its description. */
export function refreshExemptionNote(dashboardUid: string, panelId: number): string {
  const exemption = LIVE_REFRESH_EXEMPTIONS.find(
    (e) => e.dashboardUid === dashboardUid && e.panelId === panelId,
  );
  if (exemption === undefined) throw new Error(`${dashboardUid}/${panelId} is not exempt`);
  return exemption.reason;
}
