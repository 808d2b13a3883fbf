import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { alertsDashboard } from './alerts';
import { navigationDashboard } from './navigation';
import { overviewDashboard } from './overview';
import { schedulerDashboard } from './scheduler';
import { scrapersDashboard } from './scrapers';
import { scrapingDashboard } from './scraping';

/** The six section dashboards, in tab order. */
export function buildDashboards(): Dashboard[] {
  return [
    overviewDashboard(),
    scrapersDashboard(),
    navigationDashboard(),
    scrapingDashboard(),
    schedulerDashboard(),
    alertsDashboard(),
  ];
}
