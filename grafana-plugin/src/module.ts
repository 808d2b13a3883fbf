import { DataSourcePlugin } from '@grafana/data';
import { ConfigEditor } from './components/ConfigEditor';
import { QueryEditor } from './components/QueryEditor';
import { LiveDataSource } from './datasource';
import type { LiveDataSourceOptions, LiveQuery } from './types';

export const plugin = new DataSourcePlugin<LiveDataSource, LiveQuery, LiveDataSourceOptions>(
  LiveDataSource,
)
  .setConfigEditor(ConfigEditor)
  .setQueryEditor(QueryEditor);
