import type { BlockClassifier } from './blocks';
import {
  trackNavigation,
  type NavigablePage,
  type NavigationResponse,
  type TrackNavigationOptions,
} from './navigation';
import type { Recorder } from './recorder';

export type TrackFetchOptions = Omit<TrackNavigationOptions<FetchAnswer>, 'gotoOptions'> & {
  /** fetch itself (default globalThis.fetch): a proxy-aware or instrumented one. */
  readonly fetch?: typeof fetch;
};

/** A fetch Response seen through the navigation wrapper's eyes; the body is read from a clone. */
interface FetchAnswer extends NavigationResponse {
  readonly response: Response;
}

function answer(response: Response): FetchAnswer {
  return {
    response,
    status: () => response.status,
    headers: () => Object.fromEntries(response.headers),
    url: () => response.url,
    text: () => response.clone().text(),
  };
}

/**
 * fetch as a navigation: retries, classification and block detection exactly like
 * trackNavigation; `timeoutMs` aborts each attempt. Resolves with the last Response (its body
 * unread); rejects with fetch's own error once retries are exhausted.
 */
export async function trackFetch(
  recorder: Recorder,
  url: string,
  init: RequestInit | undefined,
  options: TrackFetchOptions = {},
  blocks?: BlockClassifier,
): Promise<Response> {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const page: NavigablePage<FetchAnswer> = {
    async goto(target, gotoOptions) {
      const timeout =
        gotoOptions?.timeout === undefined ? undefined : AbortSignal.timeout(gotoOptions.timeout);
      const signal =
        timeout && init?.signal
          ? AbortSignal.any([timeout, init.signal])
          : (timeout ?? init?.signal);
      return answer(await fetchImpl(target, { ...init, ...(signal ? { signal } : {}) }));
    },
  };
  const { fetch: _fetch, ...navigation } = options;
  const result = await trackNavigation(recorder, page, url, navigation, blocks);
  // goto above never resolves null.
  return (result as FetchAnswer).response;
}
