package dev.loadstar.core.internal.algorithm;

import dev.loadstar.core.BalancingAlgorithm;
import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.SelectionContext;
import dev.loadstar.core.TargetSelector;
import dev.loadstar.core.internal.Hashing;
import java.util.Arrays;
import java.util.List;

/**
 * {@code maglev}: consistent hashing through a Maglev lookup table (Eisenbud et al., NSDI 2016), weighted as Envoy
 * weights it.
 *
 * <p>The table has a prime number {@code M} of slots, at least {@value #MIN_TABLE_SIZE} and at least
 * {@value #SLOTS_PER_TARGET} per target. Each target walks its own permutation of the slots (offset and skip from
 * its id hash); targets take turns, in a stable order, claiming their next free slot, a target of weight
 * {@code w} taking {@code w / maxWeight} turns per round. Lookup is one table read: O(1). Every target gets its
 * share of slots to within one slot; when a target leaves, its keys move and a small fraction of the others'.
 */
final class Maglev implements BalancingAlgorithm {

  @Override
  public boolean usesHashKey() {
    return true;
  }


  /** Smallest table (a prime). */
  static final int MIN_TABLE_SIZE = 65_537;
  /** Table slots per target, at least. */
  static final int SLOTS_PER_TARGET = 32;

  @Override
  public String name() {
    return "maglev";
  }

  @Override
  public TargetSelector newSelector(List<RegisteredTarget> targets) {
    RegisteredTarget[] arr = HashKeys.stableOrder(Weights.selectable(targets));
    if (arr.length == 0) {
      return TargetSelector.EMPTY;
    }
    int n = arr.length;
    int m = tableSize(n);
    double[] weights = Weights.doubleWeights(arr);
    double max = 0;
    for (double w : weights) {
      max = Math.max(max, w);
    }
    long[] position = new long[n];
    long[] skip = new long[n];
    double[] share = new double[n];
    double[] turns = new double[n];
    for (int i = 0; i < n; i++) {
      long id = HashKeys.idHash(arr[i]);
      position[i] = Long.remainderUnsigned(Hashing.mix(id ^ 0x5851F42D4C957F2DL), m);
      skip[i] = Long.remainderUnsigned(Hashing.mix(id ^ 0x14057B7EF767814FL), m - 1) + 1;
      share[i] = weights[i] / max;
    }
    int[] table = new int[m];
    Arrays.fill(table, -1);
    int filled = 0;
    for (long round = 1; filled < m; round++) {
      for (int i = 0; i < n && filled < m; i++) {
        if (round * share[i] < turns[i]) {
          continue;
        }
        turns[i] += 1.0;
        long c = position[i];
        while (table[(int) c] >= 0) {
          c += skip[i];
          if (c >= m) {
            c -= m;
          }
        }
        table[(int) c] = i;
        c += skip[i];
        position[i] = c >= m ? c - m : c;
        filled++;
      }
    }
    return new Table(arr, table);
  }

  /** The smallest prime at least {@code max(MIN_TABLE_SIZE, SLOTS_PER_TARGET * targets)}. */
  static int tableSize(int targets) {
    long want = Math.max(MIN_TABLE_SIZE, (long) SLOTS_PER_TARGET * targets);
    if (want > Integer.MAX_VALUE / 2) {
      throw new IllegalArgumentException("targets: " + targets + " (expected: fewer)");
    }
    int m = (int) want;
    while (!isPrime(m)) {
      m++;
    }
    return m;
  }

  static boolean isPrime(int v) {
    if (v < 2) {
      return false;
    }
    if (v % 2 == 0) {
      return v == 2;
    }
    for (int d = 3; (long) d * d <= v; d += 2) {
      if (v % d == 0) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return name();
  }

  private static final class Table implements TargetSelector {
    private final RegisteredTarget[] targets;
    private final int[] table;

    Table(RegisteredTarget[] targets, int[] table) {
      this.targets = targets;
      this.table = table;
    }

    @Override
    public RegisteredTarget select(SelectionContext context) {
      long key = HashKeys.keyOf(context);
      // the high 32 bits of the key scaled to [0, M): no division
      return targets[table[(int) (((key >>> 32) * table.length) >>> 32)]];
    }
  }
}
