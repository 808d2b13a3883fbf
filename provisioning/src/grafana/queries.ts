import type { Builder, Dataquery } from '@grafana/grafana-foundation-sdk/cog';
import type { LiveQueryModel } from '@scrapewatch/protocol';
import { LIVE_DATASOURCE, QUESTDB_DATASOURCE } from './datasources';

/** The QuestDB plugin's query `format`: 0 time series, 1 table (see its query model). */
export enum QuestDbFormat {
  TimeSeries = 0,
  Table = 1,
}

/** A panel target or alert query for the QuestDB data source (`queryType: "sql"`). */
export interface QuestDbQuery extends Dataquery {
  _implementsDataqueryVariant(): void;
  refId?: string;
  hide?: boolean;
  datasource: { type: string; uid: string };
  queryType: 'sql';
  rawSql: string;
  format: QuestDbFormat;
}

/** A panel target for the live data source: Grafana's fields plus the shared `LiveQueryModel`. */
export interface LiveQuery extends Dataquery, LiveQueryModel {
  _implementsDataqueryVariant(): void;
  refId?: string;
  hide?: boolean;
  datasource: { type: string; uid: string };
}

export class QuestDbQueryBuilder implements Builder<Dataquery> {
  private readonly internal: QuestDbQuery;

  constructor(rawSql: string, format: QuestDbFormat) {
    this.internal = {
      datasource: { ...QUESTDB_DATASOURCE },
      queryType: 'sql',
      rawSql,
      format,
      _implementsDataqueryVariant() {},
    };
  }

  refId(refId: string): this {
    this.internal.refId = refId;
    return this;
  }

  build(): QuestDbQuery {
    return this.internal;
  }
}

export class LiveQueryBuilder implements Builder<Dataquery> {
  private readonly internal: LiveQuery;

  constructor(model: LiveQueryModel) {
    this.internal = {
      datasource: { ...LIVE_DATASOURCE },
      ...model,
      _implementsDataqueryVariant() {},
    };
  }

  refId(refId: string): this {
    this.internal.refId = refId;
    return this;
  }

  build(): LiveQuery {
    return this.internal;
  }
}
