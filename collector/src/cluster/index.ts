export { createCluster } from './cluster';
export type { Cluster, ClusterDeps } from './cluster';
export { DEFAULT_CLUSTER_OPTIONS } from './options';
export type { ClusterOptions } from './options';
