import { planReplay } from '../../src/live/replay';
import { ReplayRing, type SealedBatch } from '../../src/live/replay-ring';

const ALL = 0b111;
const batch = (seq: number, kindIndex = 0): SealedBatch => ({
  seq,
  kindIndex,
  count: 1,
  bytes: Buffer.from(`{"seq":${seq}}`),
  minMs: seq * 1_000,
  maxMs: seq * 1_000 + 500,
});
const filled = (capacity: number, count: number): ReplayRing => {
  const ring = new ReplayRing(capacity);
  for (let seq = 1; seq <= count; seq += 1) ring.push(batch(seq, seq % 2));
  return ring;
};

describe('replay planning', () => {
  it('replays everything after lastSeq when the ring holds it', () => {
    const plan = planReplay('a', filled(8, 6), 3, ALL, 1 << 20);
    expect(plan.gap).toBeUndefined();
    expect(plan.batches.map((b) => b.seq)).toEqual([4, 5, 6]);
  });

  it('has nothing to send for an up-to-date client', () => {
    expect(planReplay('a', filled(8, 6), 6, ALL, 1 << 20)).toEqual({
      gap: undefined,
      batches: [],
      bytes: 0,
      budgetHit: false,
    });
  });

  it('describes evicted batches while their description is kept, and says unknown after', () => {
    const ring = filled(2, 20); // holds 19..20; describes 11..18 (4 per held)
    expect(planReplay('a', ring, 12, ALL, 1 << 20).gap).toEqual({
      type: 'gap',
      channel: 'a',
      afterSeq: 12,
      toSeq: 18,
      fromMs: 13_000,
      toMs: 18_500,
    });
    expect(planReplay('a', ring, 5, ALL, 1 << 20).gap).toEqual({
      type: 'gap',
      channel: 'a',
      afterSeq: 5,
      toSeq: 18,
      fromMs: null,
      toMs: null,
    });
  });

  it('applies the kind filter to the replayed batches and to the gap range', () => {
    const ring = filled(4, 10); // holds 7..10; odd seqs are kind 1, even seqs kind 0
    const plan = planReplay('a', ring, 3, 0b010, 1 << 20);
    expect(plan.batches.map((b) => b.seq)).toEqual([7, 9]);
    expect(plan.gap).toMatchObject({ afterSeq: 3, toSeq: 6, fromMs: 5_000, toMs: 5_500 });
  });

  it('keeps the newest batches within the byte budget', () => {
    const ring = filled(16, 10);
    const size = ring.get(10)?.bytes.length ?? 0;
    const plan = planReplay('a', ring, 0, ALL, size * 3);
    expect(plan.batches.map((b) => b.seq)).toEqual([8, 9, 10]);
    expect(plan.gap).toMatchObject({ afterSeq: 0, toSeq: 7, fromMs: 1_000, toMs: 7_500 });
  });

  describe('stream positions (cluster mode): increasing, not consecutive seqs', () => {
    // Positions 10, 13, 16, ... of one channel; the ring starts after position 5.
    const sparse = (capacity: number, count: number): ReplayRing => {
      const ring = new ReplayRing(capacity, 5);
      for (let i = 0; i < count; i += 1) ring.push(batch(10 + 3 * i, i % 2));
      return ring;
    };

    it('replays exactly the batches after any position the ring covers, none when up to date', () => {
      const ring = sparse(8, 6); // 10 13 16 19 22 25
      expect(planReplay('a', ring, 14, ALL, 1 << 20, false).batches.map((b) => b.seq)).toEqual([
        16, 19, 22, 25,
      ]);
      expect(planReplay('a', ring, 16, ALL, 1 << 20, false).batches.map((b) => b.seq)).toEqual([
        19, 22, 25,
      ]);
      // From its floor on, the ring holds the whole channel: no gap before its first batch.
      expect(planReplay('a', ring, 5, ALL, 1 << 20, false).gap).toBeUndefined();
      expect(planReplay('a', ring, 25, ALL, 1 << 20, false).batches).toEqual([]);
      expect(ring.get(19)?.seq).toBe(19);
      expect(ring.get(20)).toBeUndefined();
    });

    it('reports a gap for positions at or below its floor, described while it can', () => {
      const ring = sparse(2, 6); // holds 22 25; evicted 10..19 stay described; floor 19
      expect(ring.floor).toBe(19);
      const plan = planReplay('a', ring, 11, ALL, 1 << 20, false);
      expect(plan.batches.map((b) => b.seq)).toEqual([22, 25]);
      expect(plan.gap).toEqual({
        type: 'gap',
        channel: 'a',
        afterSeq: 11,
        toSeq: 21,
        fromMs: 13_000,
        toMs: 19_500,
      });
      // Below the ring's start nothing is known: times unknown.
      expect(planReplay('a', ring, 4, ALL, 1 << 20, false).gap).toMatchObject({
        afterSeq: 4,
        fromMs: null,
        toMs: null,
      });
    });

    it('keeps the newest within the byte budget and says so', () => {
      const ring = sparse(8, 6);
      const size = ring.get(25)?.bytes.length ?? 0;
      const plan = planReplay('a', ring, 5, ALL, size * 2, false);
      expect(plan.batches.map((b) => b.seq)).toEqual([22, 25]);
      expect(plan.budgetHit).toBe(true);
      expect(plan.gap).toMatchObject({ afterSeq: 5, toSeq: 21, fromMs: 10_000, toMs: 19_500 });
    });
  });
});
