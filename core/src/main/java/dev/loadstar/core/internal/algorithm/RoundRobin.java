package dev.loadstar.core.internal.algorithm;

import dev.loadstar.core.BalancingAlgorithm;
import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.SelectionContext;
import dev.loadstar.core.TargetSelector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * ALB's {@code round_robin}, weighted and smooth.
 *
 * <p>Equal weights: a shared counter modulo the target count. Unequal weights: the smooth weighted round-robin
 * sequence (the one nginx produces) is computed once per snapshot and indexed by the counter, which keeps
 * {@code select} O(1); when that sequence would be too large to precompute, an interleaved weighted round robin
 * (rounds over the targets whose weight exceeds the round number, found by binary search) is used instead.
 *
 * <p>A target group's new snapshot continues the previous selector's counter ({@link ContinuingAlgorithm}), so churn
 * (registrations, health changes) does not restart the rotation at the first target.
 */
final class RoundRobin implements BalancingAlgorithm, ContinuingAlgorithm {

  /** Largest precomputed sequence (entries); beyond it the interleaved form is used. */
  static final int MAX_SEQUENCE = 1 << 16;
  /** Resolution used to turn fractional weights (slow start, anomaly mitigation) into integers. */
  static final int FRACTION_SCALE = 100;

  @Override
  public String name() {
    return "round_robin";
  }

  @Override
  public boolean supportsSlowStart() {
    return true;
  }

  @Override
  public TargetSelector newSelector(List<RegisteredTarget> targets) {
    return newSelector(targets, 0);
  }

  @Override
  public TargetSelector newSelector(List<RegisteredTarget> targets, TargetSelector previous) {
    return newSelector(targets, ContinuingAlgorithm.positionOf(previous));
  }

  private TargetSelector newSelector(List<RegisteredTarget> targets, long start) {
    RegisteredTarget[] arr = Weights.selectable(targets);
    if (arr.length == 0) {
      return TargetSelector.EMPTY;
    }
    int[] weights = Weights.integerWeights(arr, FRACTION_SCALE);
    if (Weights.allEqual(weights)) {
      return new Equal(arr, start);
    }
    long total = 0;
    for (int w : weights) {
      total += w;
    }
    if (total <= MAX_SEQUENCE && total * arr.length <= 8L * MAX_SEQUENCE * 16) {
      return new Sequence(arr, smoothSequence(weights, (int) total), start);
    }
    return new Interleaved(arr, weights, start);
  }

  /** nginx's smooth weighted round robin, unrolled over one full period. */
  static int[] smoothSequence(int[] weights, int total) {
    int n = weights.length;
    long[] current = new long[n];
    int[] seq = new int[total];
    for (int s = 0; s < total; s++) {
      int best = 0;
      for (int i = 0; i < n; i++) {
        current[i] += weights[i];
        if (current[i] > current[best]) {
          best = i;
        }
      }
      current[best] -= total;
      seq[s] = best;
    }
    return seq;
  }

  private static final class Equal implements TargetSelector, ContinuingAlgorithm.Rotating {
    private final RegisteredTarget[] targets;
    private final AtomicLong counter;

    Equal(RegisteredTarget[] targets, long start) {
      this.targets = targets;
      this.counter = new AtomicLong(start);
    }

    @Override
    public long position() {
      return counter.get();
    }

    @Override
    public RegisteredTarget select(SelectionContext context) {
      long c = counter.getAndIncrement();
      return targets[(int) Long.remainderUnsigned(c, targets.length)];
    }
  }

  private static final class Sequence implements TargetSelector, ContinuingAlgorithm.Rotating {
    private final RegisteredTarget[] targets;
    private final int[] sequence;
    private final AtomicLong counter;

    Sequence(RegisteredTarget[] targets, int[] sequence, long start) {
      this.targets = targets;
      this.sequence = sequence;
      this.counter = new AtomicLong(start);
    }

    @Override
    public long position() {
      return counter.get();
    }

    @Override
    public RegisteredTarget select(SelectionContext context) {
      long c = counter.getAndIncrement();
      return targets[sequence[(int) Long.remainderUnsigned(c, sequence.length)]];
    }
  }

  /**
   * Interleaved weighted round robin: round r visits, in order, every target whose weight is greater than r.
   * Targets are sorted by weight (descending) so the visitors of any round are a prefix; rounds with the same
   * number of visitors form a segment, and a binary search over segment boundaries finds the slot.
   */
  private static final class Interleaved implements TargetSelector, ContinuingAlgorithm.Rotating {
    private final RegisteredTarget[] sorted;
    private final long[] segmentEnd;   // cumulative slot count at the end of each segment
    private final int[] segmentWidth;  // visitors per round in each segment
    private final long total;
    private final AtomicLong counter;

    Interleaved(RegisteredTarget[] targets, int[] weights, long start) {
      this.counter = new AtomicLong(start);
      Integer[] order = new Integer[targets.length];
      for (int i = 0; i < order.length; i++) {
        order[i] = i;
      }
      Arrays.sort(order, (a, b) -> Integer.compare(weights[b], weights[a]));
      sorted = new RegisteredTarget[targets.length];
      int[] sortedWeights = new int[targets.length];
      for (int i = 0; i < order.length; i++) {
        sorted[i] = targets[order[i]];
        sortedWeights[i] = weights[order[i]];
      }
      // distinct weight levels ascending: level value v_j, width c_j = number of targets with weight >= v_j
      List<long[]> segments = new ArrayList<>();
      long cumulative = 0;
      int previousLevel = 0;
      for (int i = sortedWeights.length - 1; i >= 0; i--) {
        int level = sortedWeights[i];
        if (level > previousLevel) {
          int width = i + 1;
          cumulative += (long) (level - previousLevel) * width;
          segments.add(new long[] {cumulative, width});
          previousLevel = level;
        }
      }
      segmentEnd = new long[segments.size()];
      segmentWidth = new int[segments.size()];
      for (int j = 0; j < segments.size(); j++) {
        segmentEnd[j] = segments.get(j)[0];
        segmentWidth[j] = (int) segments.get(j)[1];
      }
      total = cumulative;
    }

    @Override
    public long position() {
      return counter.get();
    }

    @Override
    public RegisteredTarget select(SelectionContext context) {
      long p = Long.remainderUnsigned(counter.getAndIncrement(), total);
      int lo = 0;
      int hi = segmentEnd.length - 1;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (segmentEnd[mid] > p) {
          hi = mid;
        } else {
          lo = mid + 1;
        }
      }
      long start = lo == 0 ? 0 : segmentEnd[lo - 1];
      return sorted[(int) ((p - start) % segmentWidth[lo])];
    }
  }
}
