import type { StreamWireVersion } from '@scrapewatch/protocol';
import type { SealedBatch } from './replay-ring';

/**
 * Subscribers whose subscriptions are identical (wire version, kinds, channels or "*"): they
 * receive the same batches at every tick, so the group's frame is serialised once for all.
 */
export interface Group<S> {
  readonly key: string;
  readonly version: StreamWireVersion;
  readonly wildcard: boolean;
  /** Named channels; empty for a wildcard group ("*" covers them all). */
  readonly channels: readonly string[];
  readonly kindMask: number;
  readonly members: Set<S>;
  /** The batches of the tick being delivered; empty between ticks. */
  batches: SealedBatch[];
}

export interface Subscription {
  readonly version: StreamWireVersion;
  readonly wildcard: boolean;
  readonly channels: Iterable<string>;
  readonly kindMask: number;
}

/** Groups by subscription, indexed by channel so a batch finds its groups without a scan. */
export class GroupIndex<S> {
  private readonly byKey = new Map<string, Group<S>>();
  private readonly byChannel = new Map<string, Set<Group<S>>>();
  private readonly wildcards = new Set<Group<S>>();

  get size(): number {
    return this.byKey.size;
  }

  /** Puts `member` in the group of `subscription`, creating it when it is the first. */
  join(member: S, subscription: Subscription): Group<S> {
    const channels = subscription.wildcard ? [] : [...subscription.channels].sort();
    const key = `${subscription.version}|${subscription.kindMask}|${
      subscription.wildcard ? '*' : channels.join(',')
    }`;
    let group = this.byKey.get(key);
    if (group === undefined) {
      group = {
        key,
        version: subscription.version,
        wildcard: subscription.wildcard,
        channels,
        kindMask: subscription.kindMask,
        members: new Set(),
        batches: [],
      };
      this.byKey.set(key, group);
      if (group.wildcard) this.wildcards.add(group);
      for (const channel of channels) {
        let groups = this.byChannel.get(channel);
        if (groups === undefined) {
          groups = new Set();
          this.byChannel.set(channel, groups);
        }
        groups.add(group);
      }
    }
    group.members.add(member);
    return group;
  }

  /** Takes `member` out of `group`; the last member leaving removes the group. */
  leave(member: S, group: Group<S>): void {
    group.members.delete(member);
    if (group.members.size > 0 || this.byKey.get(group.key) !== group) return;
    this.byKey.delete(group.key);
    this.wildcards.delete(group);
    for (const channel of group.channels) {
      const groups = this.byChannel.get(channel);
      groups?.delete(group);
      if (groups?.size === 0) this.byChannel.delete(channel);
    }
  }

  /** Groups naming the channel (wildcard groups aside). */
  named(channel: string): ReadonlySet<Group<S>> | undefined {
    return this.byChannel.get(channel);
  }

  /** Groups on "*". */
  get wildcardGroups(): ReadonlySet<Group<S>> {
    return this.wildcards;
  }

  /** Whether a group names the channel (wildcards aside). */
  names(channel: string): boolean {
    return this.byChannel.has(channel);
  }
}
