export { createLiveHub } from './hub';
export type { LiveHub, LiveHubDeps, StreamMessage, StreamReadGap, StreamReplay } from './hub';
export { DEFAULT_LIVE_OPTIONS, resolveLiveOptions } from './options';
export type { LiveOptions } from './options';
