export { createLiveHub } from './hub';
export type { LiveHub, LiveHubDeps } from './hub';
export type { StreamMessage, StreamReadGap, StreamReplay } from './stream-replay';
export { DEFAULT_LIVE_OPTIONS, resolveLiveOptions } from './options';
export type { LiveOptions } from './options';
