/** Standard normal variate (Box-Muller). */
export function normal(random: () => number = Math.random): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * Log-normal with the given median and shape: latencies of real sites look like this (a long
 * right tail). p95 = median * e^(1.645 * sigma).
 */
export function logNormal(
  medianMs: number,
  sigma: number,
  random: () => number = Math.random,
): number {
  return medianMs * Math.exp(sigma * normal(random));
}

/** Poisson-ish count around a mean, never negative. */
export function countAround(mean: number, random: () => number = Math.random): number {
  return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal(random)));
}

export function pick<T>(items: readonly T[], random: () => number = Math.random): T {
  return items[Math.floor(random() * items.length)] as T;
}

/** Chooses a key with probability proportional to its weight; the remainder goes to `rest`. */
export function weighted<K extends string>(
  weights: Readonly<Partial<Record<K, number>>>,
  rest: K,
  random: () => number = Math.random,
): K {
  let roll = random();
  for (const [key, weight] of Object.entries(weights) as [K, number | undefined][]) {
    if (weight === undefined) continue;
    if (roll < weight) return key;
    roll -= weight;
  }
  return rest;
}
