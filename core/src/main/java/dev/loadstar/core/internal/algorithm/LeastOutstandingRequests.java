package dev.loadstar.core.internal.algorithm;

import dev.loadstar.core.BalancingAlgorithm;
import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.SelectionContext;
import dev.loadstar.core.TargetSelector;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * ALB's {@code least_outstanding_requests}: the target with the fewest requests in flight, ties broken round
 * robin. With unequal weights the target with the lowest {@code (inFlight + 1) / weight} wins.
 *
 * <p>Up to {@code scanLimit} targets every target is compared (exact; O(scanLimit), which is O(1) in the number of
 * targets). Above it, each selection compares a window of {@code scanLimit} consecutive targets, and successive
 * selections move the window by its width, so every target is looked at once every {@code n / scanLimit}
 * selections: the chosen target has no more in flight than any of the other {@code scanLimit - 1} in its window,
 * but not necessarily the fewest of all. The trade-off is documented in {@code docs/architecture.md}.
 */
final class LeastOutstandingRequests implements BalancingAlgorithm, ContinuingAlgorithm {

  private final int scanLimit;

  LeastOutstandingRequests(int scanLimit) {
    this.scanLimit = scanLimit;
  }

  @Override
  public String name() {
    return "least_outstanding_requests";
  }

  @Override
  public boolean usesInFlight() {
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
    int[] weights = Weights.integerWeights(arr, RoundRobin.FRACTION_SCALE);
    if (Weights.allEqual(weights)) {
      return new Unweighted(arr, scanLimit, start);
    }
    return new Weighted(arr, weights, scanLimit, start);
  }

  @Override
  public String toString() {
    return name() + (scanLimit == Algorithms.LOR_EXACT_SCAN_LIMIT ? "" : "(scanLimit=" + scanLimit + ")");
  }

  /** Where a selection starts scanning and how many targets it compares. */
  abstract static class Scan implements TargetSelector, ContinuingAlgorithm.Rotating {
    final RegisteredTarget[] targets;
    final int window;
    final boolean exact;
    private final AtomicLong counter;

    Scan(RegisteredTarget[] targets, int scanLimit, long start) {
      this.targets = targets;
      this.exact = targets.length <= scanLimit;
      this.window = exact ? targets.length : scanLimit;
      this.counter = new AtomicLong(start);
    }

    @Override
    public long position() {
      return counter.get();
    }

    final int start() {
      long c = counter.getAndIncrement();
      // exact: rotate the start by one (ties go round robin); windowed: move the window by its width
      return (int) Long.remainderUnsigned(exact ? c : c * window, targets.length);
    }
  }

  private static final class Unweighted extends Scan {
    Unweighted(RegisteredTarget[] targets, int scanLimit, long start) {
      super(targets, scanLimit, start);
    }

    @Override
    public RegisteredTarget select(SelectionContext context) {
      RegisteredTarget[] ts = targets;
      int n = ts.length;
      int i = start();
      RegisteredTarget best = ts[i];
      int bestLoad = best.inFlight();
      for (int k = 1; k < window && bestLoad > 0; k++) {
        if (++i == n) {
          i = 0;
        }
        RegisteredTarget t = ts[i];
        int load = t.inFlight();
        if (load < bestLoad) {
          best = t;
          bestLoad = load;
        }
      }
      return best;
    }
  }

  private static final class Weighted extends Scan {
    private final int[] weights;

    Weighted(RegisteredTarget[] targets, int[] weights, int scanLimit, long start) {
      super(targets, scanLimit, start);
      this.weights = weights;
    }

    @Override
    public RegisteredTarget select(SelectionContext context) {
      RegisteredTarget[] ts = targets;
      int[] ws = weights;
      int n = ts.length;
      int i = start();
      int best = i;
      long bestLoad = ts[i].inFlight() + 1L;
      long bestWeight = ws[i];
      for (int k = 1; k < window; k++) {
        if (++i == n) {
          i = 0;
        }
        long load = ts[i].inFlight() + 1L;
        long w = ws[i];
        // load / w < bestLoad / bestWeight, without division
        if (load * bestWeight < bestLoad * w) {
          best = i;
          bestLoad = load;
          bestWeight = w;
        }
      }
      return ts[best];
    }
  }
}
