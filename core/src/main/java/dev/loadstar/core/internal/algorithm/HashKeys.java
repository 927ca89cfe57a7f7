package dev.loadstar.core.internal.algorithm;

import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.SelectionContext;
import dev.loadstar.core.internal.Hashing;
import java.util.Arrays;
import java.util.Comparator;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What the consistent-hashing algorithms share: the request key and stable per-target hashes.
 */
final class HashKeys {

  private HashKeys() {
  }

  /** The request's key, re-mixed (callers may pass raw ids), or a random key when the request has none. */
  static long keyOf(SelectionContext context) {
    return context.hasHashKey() ? Hashing.mix(context.hashKey() ^ 0x2545F4914F6CDD1DL)
        : ThreadLocalRandom.current().nextLong();
  }

  /** A stable 64-bit hash of the target's id: the same on every replica and in every snapshot. */
  static long idHash(RegisteredTarget t) {
    return Hashing.hash64(t.target().id());
  }

  /** The targets in a stable order (by id hash, then id), independent of registration order. */
  static RegisteredTarget[] stableOrder(RegisteredTarget[] targets) {
    RegisteredTarget[] sorted = targets.clone();
    Arrays.sort(sorted, Comparator.comparingLong(HashKeys::idHash).thenComparing(t -> t.target().id()));
    return sorted;
  }
}
