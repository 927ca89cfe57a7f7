package dev.loadstar.core.internal.algorithm;

import dev.loadstar.core.BalancingAlgorithm;
import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.SelectionContext;
import dev.loadstar.core.TargetSelector;
import dev.loadstar.core.internal.Hashing;
import java.util.Arrays;
import java.util.List;

/**
 * {@code ring_hash}: consistent hashing on a ring of virtual nodes (Karger et al.; ketama-style).
 *
 * <p>Each target owns {@code weight x r} points on a 64-bit ring, placed by hashing its id and the point's number,
 * so a target's points do not depend on the other targets: when a target leaves, only the keys that were on its
 * points move. {@code r} is {@value #REPLICAS_PER_UNIT} per unit of weight while the ring stays under
 * {@value #MAX_RING} points, fewer beyond. A request key goes to the first point at or after its hash, found through
 * an index over the top bits of the positions (about one point per bucket): O(1) expected, O(points in a bucket)
 * at worst.
 */
final class RingHash implements BalancingAlgorithm {

  @Override
  public boolean usesHashKey() {
    return true;
  }


  /** Points per unit of (gcd-reduced) weight while the ring is small enough. */
  static final int REPLICAS_PER_UNIT = 200;
  /** Upper bound on the ring size (points). */
  static final int MAX_RING = 1 << 19;
  /** Low bits of a packed ring entry that hold the owner's index (the high bits are the point's position). */
  private static final int OWNER_BITS = 21;
  private static final long OWNER_MASK = (1L << OWNER_BITS) - 1;
  /** Largest index over the ring's top bits (2^20 buckets). */
  private static final int MAX_INDEX_BITS = 20;

  @Override
  public String name() {
    return "ring_hash";
  }

  @Override
  public TargetSelector newSelector(List<RegisteredTarget> targets) {
    RegisteredTarget[] arr = Weights.selectable(targets);
    if (arr.length == 0) {
      return TargetSelector.EMPTY;
    }
    if (arr.length > OWNER_MASK) {
      throw new IllegalArgumentException("targets: " + arr.length + " (expected: at most " + OWNER_MASK + ")");
    }
    int[] weights = Weights.integerWeights(arr, RoundRobin.FRACTION_SCALE);
    long sum = 0;
    for (int w : weights) {
      sum += w;
    }
    double perUnit = sum <= MAX_RING ? Math.min(REPLICAS_PER_UNIT, MAX_RING / sum) : (double) MAX_RING / sum;
    int[] replicas = new int[arr.length];
    long points = 0;
    for (int i = 0; i < arr.length; i++) {
      replicas[i] = (int) Math.max(1, Math.round(weights[i] * perUnit));
      points += replicas[i];
    }
    long[] packed = new long[(int) points];
    int p = 0;
    for (int i = 0; i < arr.length; i++) {
      long id = HashKeys.idHash(arr[i]);
      for (int r = 0; r < replicas[i]; r++) {
        long position = Hashing.mix(id + (r + 1) * 0x9E3779B97F4A7C15L);
        // flip the sign bit so that signed order is the ring's unsigned order
        packed[p++] = ((position ^ Long.MIN_VALUE) & ~OWNER_MASK) | i;
      }
    }
    Arrays.sort(packed);
    long[] positions = new long[packed.length];
    int[] owners = new int[packed.length];
    for (int k = 0; k < packed.length; k++) {
      positions[k] = packed[k] & ~OWNER_MASK;
      owners[k] = (int) (packed[k] & OWNER_MASK);
    }
    // index the ring by the top bits of a position: about one point per bucket
    int bits = Math.max(1, Math.min(MAX_INDEX_BITS, 64 - Long.numberOfLeadingZeros(positions.length - 1)));
    int shift = 64 - bits;
    int[] bucketStart = new int[(1 << bits) + 1];
    int k = 0;
    for (int bucket = 0; bucket <= 1 << bits; bucket++) {
      while (k < positions.length && bucketOf(positions[k], shift) < bucket) {
        k++;
      }
      bucketStart[bucket] = k;
    }
    return new Ring(arr, positions, owners, bucketStart, shift);
  }

  /** The bucket of a (sign-flipped) position: its top bits, read as unsigned. */
  private static int bucketOf(long flippedPosition, int shift) {
    return (int) ((flippedPosition ^ Long.MIN_VALUE) >>> shift);
  }

  @Override
  public String toString() {
    return name();
  }

  private static final class Ring implements TargetSelector {
    private final RegisteredTarget[] targets;
    private final long[] positions;
    private final int[] owners;
    /** bucketStart[b]: index of the first point whose top bits are at least b; one extra entry at the end. */
    private final int[] bucketStart;
    private final int shift;

    Ring(RegisteredTarget[] targets, long[] positions, int[] owners, int[] bucketStart, int shift) {
      this.targets = targets;
      this.positions = positions;
      this.owners = owners;
      this.bucketStart = bucketStart;
      this.shift = shift;
    }

    @Override
    public RegisteredTarget select(SelectionContext context) {
      long key = (HashKeys.keyOf(context) ^ Long.MIN_VALUE) & ~OWNER_MASK;
      int bucket = bucketOf(key, shift);
      // the first point at or after the key is in the key's bucket or is the first point of a later bucket
      int i = bucketStart[bucket];
      int end = bucketStart[bucket + 1];
      long[] ps = positions;
      while (i < end && ps[i] < key) {
        i++;
      }
      return targets[owners[i == ps.length ? 0 : i]];
    }
  }
}
