package dev.loadstar.core.internal.algorithm;

import dev.loadstar.core.BalancingAlgorithm;
import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.SelectionContext;
import dev.loadstar.core.TargetSelector;
import dev.loadstar.core.internal.InFlightTable;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;

/**
 * ALB's {@code least_outstanding_requests}: the target with the fewest requests in flight, ties broken round
 * robin. With unequal weights the target with the lowest {@code (inFlight + 1) / weight} wins.
 *
 * <p>Up to {@code scanLimit} targets every target is compared (exact; O(scanLimit), which is O(1) in the number of
 * targets). Above it, each selection compares a window of {@code scanLimit} consecutive targets, and successive
 * selections move the window by its width, so every target is looked at once every {@code n / scanLimit}
 * selections: the chosen target has no more in flight than any of the other {@code scanLimit - 1} in its window,
 * but not necessarily the fewest of all. The trade-off is documented in {@code docs/architecture.md}.
 *
 * <p>A group's own targets are compared through the group's in-flight table ({@link InFlightSlots}: contiguous
 * words, a branch-free loop); any other {@link RegisteredTarget} is asked for its count.
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
    boolean equal = Weights.allEqual(weights);
    InFlightSlots slots = InFlightSlots.of(arr);
    if (slots != null) {
      return new Slotted(arr, equal ? null : weights, slots, scanLimit, start);
    }
    return equal ? new Unweighted(arr, scanLimit, start) : new Weighted(arr, weights, scanLimit, start);
  }

  @Override
  public String toString() {
    return name() + (scanLimit == Algorithms.LOR_EXACT_SCAN_LIMIT ? "" : "(scanLimit=" + scanLimit + ")");
  }

  /** Where a selection starts scanning and how many targets it compares. */
  abstract static class Scan implements TargetSelector, ContinuingAlgorithm.Rotating {
    private static final VarHandle NEXT;

    static {
      try {
        NEXT = MethodHandles.lookup().findVarHandle(Scan.class, "next", int.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    final RegisteredTarget[] targets;
    final int window;
    /** How far the start moves per selection: exact, by one (ties go round robin); windowed, by the window. */
    private final int step;
    /** Where the next selection starts, in [0, n): moved by compare-and-set, so no division on the hot path. */
    private volatile int next;

    Scan(RegisteredTarget[] targets, int scanLimit, long start) {
      this.targets = targets;
      boolean exact = targets.length <= scanLimit;
      this.window = exact ? targets.length : scanLimit;
      this.step = exact ? 1 : scanLimit;
      this.next = (int) Long.remainderUnsigned(start, targets.length);
    }

    @Override
    public long position() {
      return next;
    }

    /** Claims the next start; concurrent selections get successive, disjoint windows. */
    final int start() {
      int n = targets.length;
      for (;;) {
        int c = next;
        int after = c + step;
        if (after >= n) {
          after -= n;
        }
        if (NEXT.compareAndSet(this, c, after)) {
          return c;
        }
      }
    }
  }

  /**
   * The targets of one group: their counts are read from the group's in-flight table, a run of consecutive slots
   * at a time (a window of 64 targets registered together is 8 cache lines). Same choices as {@link Unweighted}
   * and {@link Weighted}.
   */
  private static final class Slotted extends Scan {
    /** Null when every weight is equal. */
    private final int[] weights;
    /** The fields of {@link InFlightSlots}, copied: a count is then fewer dependent loads away. */
    private final long[] single;
    private final int base;
    private final long[][] pages;
    private final int[] slots;
    private final int[] runs;
    private final InFlightSlots where;

    Slotted(RegisteredTarget[] targets, int[] weights, InFlightSlots slots, int scanLimit, long start) {
      super(targets, scanLimit, start);
      this.weights = weights;
      this.single = slots.single;
      this.base = slots.base;
      this.pages = slots.pages;
      this.slots = slots.slots;
      this.runs = slots.runs;
      this.where = slots;
    }

    @Override
    public RegisteredTarget select(SelectionContext context) {
      if (weights != null) {
        return targets[leastScore()];
      }
      return targets[single != null ? leastLoadedInOnePage() : leastLoaded()];
    }

    /**
     * {@link #leastLoaded()} when every word is in one page, in position order from {@link #base}: the window is
     * one run, or two when it wraps past the last position.
     */
    private int leastLoadedInOnePage() {
      long[] page = single;
      int b = base;
      int n = targets.length;
      int i = start();
      int end = Math.min(n, i + window);
      long best = leastKey(page, b + i, b + end);
      int wrapped = i + window - end;
      if (wrapped > 0 && best >>> 32 > 0) {
        long more = leastKey(page, b, b + wrapped);
        if (more >>> 32 < best >>> 32) {
          best = more;
        }
      }
      return (int) best - b;
    }

    /**
     * The position of the first target with the fewest in flight in the window; the scan stops after the run
     * holding the first idle target.
     */
    private int leastLoaded() {
      long[][] pages = this.pages;
      int[] ss = slots;
      int[] runs = this.runs;
      int n = targets.length;
      int i = start();
      int left = window;
      int best = i;
      long bestLoad = Long.MAX_VALUE;
      do {
        int s = ss[i];
        int m = Math.min(runs[i], left);
        int from = s & InFlightTable.PAGE_MASK;
        long run = leastKey(pages[s >>> InFlightTable.PAGE_SHIFT], from, from + m);
        if (run >>> 32 < bestLoad) { // load, closed bit included
          bestLoad = run >>> 32;
          best = i + ((int) run - from);
        }
        left -= m;
        i += m;
        if (i == n) {
          i = 0;
        }
      } while (left > 0 && bestLoad > 0);
      return best;
    }

    /**
     * The least {@code word << 32 | index} over {@code page[from, to)}: the word's low half (closed bit and count)
     * moves to the top and its generation drops out, so this is the first of the least loaded, with its index; a
     * target that has left (closed) loses to every open one. A static loop over one array, without branches or a
     * mask, compiles to a tight counted loop.
     */
    private static long leastKey(long[] page, int from, int to) {
      long best = Long.MAX_VALUE;
      for (int k = from; k < to; k++) {
        best = Math.min(best, page[k] << 32 | k);
      }
      return best;
    }

    /** The position of the first target with the lowest {@code (inFlight + 1) / weight} in the window. */
    private int leastScore() {
      long[][] pages = this.pages;
      int[] ss = slots;
      int[] runs = this.runs;
      int[] ws = weights;
      int n = targets.length;
      int i = start();
      int left = window;
      int best = i;
      long bestLoad = where.inFlight(i) + 1L;
      long bestWeight = ws[i];
      do {
        int s = ss[i];
        int m = Math.min(runs[i], left);
        int from = s & InFlightTable.PAGE_MASK;
        long[] page = pages[s >>> InFlightTable.PAGE_SHIFT];
        int k = leastScoreIndex(page, from, from + m, ws, i - from);
        int p = i + (k - from);
        long load = InFlightTable.count(page[k]) + 1L;
        long w = ws[p];
        // load / w < bestLoad / bestWeight, without division
        if (load * bestWeight < bestLoad * w) {
          best = p;
          bestLoad = load;
          bestWeight = w;
        }
        left -= m;
        i += m;
        if (i == n) {
          i = 0;
        }
      } while (left > 0);
      return best;
    }

    /** The index in {@code page[from, to)} of the first lowest score; {@code weights[k + shift]} is k's weight. */
    private static int leastScoreIndex(long[] page, int from, int to, int[] weights, int shift) {
      int best = from;
      long bestLoad = InFlightTable.count(page[from]) + 1L;
      long bestWeight = weights[from + shift];
      for (int k = from + 1; k < to; k++) {
        long load = InFlightTable.count(page[k]) + 1L;
        long w = weights[k + shift];
        if (load * bestWeight < bestLoad * w) {
          best = k;
          bestLoad = load;
          bestWeight = w;
        }
      }
      return best;
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
