/** Runs `work` over `count` items with at most `concurrency` in flight; resolves when all are done. */
export async function runPool(
  count: number,
  concurrency: number,
  work: (index: number, lane: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async (laneIndex: number): Promise<void> => {
    while (next < count) {
      const index = next++;
      await work(index, laneIndex);
    }
  };
  const lanes = Math.max(1, Math.min(concurrency, count));
  await Promise.all(Array.from({ length: lanes }, (_, laneIndex) => lane(laneIndex)));
}

/** Counts occurrences by key: status codes, error codes, close codes. */
export function tally(counts: Record<string, number>, key: string | number, by = 1): void {
  counts[String(key)] = (counts[String(key)] ?? 0) + by;
}

/** Keeps the first few distinct error messages: enough to diagnose, bounded in size. */
export function keepError(errors: string[], message: string, max = 5): void {
  if (errors.length < max && !errors.includes(message)) errors.push(message);
}
