package dev.loadstar.core.internal.algorithm;

import dev.loadstar.core.BalancingAlgorithm;
import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.SelectionContext;
import dev.loadstar.core.TargetSelector;
import dev.loadstar.core.internal.DefaultRegisteredTarget;
import dev.loadstar.core.internal.InFlightTable;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Power of two choices: two distinct random targets (drawn by weight when weights differ), the less loaded one
 * wins; O(1).
 *
 * <p>Load is the in-flight count ({@code power_of_two_choices}) or, for {@code peak_ewma}, the peak-EWMA latency
 * times (in-flight + 1), the cost Finagle's balancer uses. The latency estimate decays toward zero while a target
 * gets no request, so a target that was slow is tried again after a while (both candidates are decayed to the
 * same instant, which needs one exponential and no clock read); a target without any latency sample is compared
 * with the other candidate by in-flight count alone.
 */
final class PowerOfTwoChoices implements BalancingAlgorithm {

  private final boolean peakEwma;

  PowerOfTwoChoices(boolean peakEwma) {
    this.peakEwma = peakEwma;
  }

  @Override
  public String name() {
    return peakEwma ? "peak_ewma" : "power_of_two_choices";
  }

  @Override
  public boolean usesInFlight() {
    return true;
  }

  @Override
  public TargetSelector newSelector(List<RegisteredTarget> targets) {
    RegisteredTarget[] arr = Weights.selectable(targets);
    if (arr.length == 0) {
      return TargetSelector.EMPTY;
    }
    if (arr.length == 1) {
      RegisteredTarget only = arr[0];
      return ctx -> only;
    }
    double[] weights = Weights.doubleWeights(arr);
    AliasTable table = Weights.allEqual(weights) ? null : new AliasTable(weights);
    if (!peakEwma) {
      return new LeastLoaded(arr, table);
    }
    DefaultRegisteredTarget[] decaying = new DefaultRegisteredTarget[arr.length];
    for (int i = 0; i < arr.length; i++) {
      if (!(arr[i] instanceof DefaultRegisteredTarget)) {
        decaying = null;
        break;
      }
      decaying[i] = (DefaultRegisteredTarget) arr[i];
    }
    return new PeakEwma(arr, table, decaying);
  }

  @Override
  public String toString() {
    return name();
  }

  /** Draws the two candidates. */
  abstract static class TwoChoices implements TargetSelector {
    final RegisteredTarget[] targets;
    private final AliasTable table;
    /** Where the targets' counts are in their group's in-flight table (see {@link InFlightSlots}), or null. */
    private final long[][] pageOf;
    private final int[] indexOf;
    private final long[] single;
    private final int base;

    TwoChoices(RegisteredTarget[] targets, AliasTable table) {
      this.targets = targets;
      this.table = table;
      InFlightSlots slots = InFlightSlots.of(targets);
      this.pageOf = slots == null ? null : slots.pageOf;
      this.indexOf = slots == null ? null : slots.indexOf;
      this.single = slots == null ? null : slots.single;
      this.base = slots == null ? 0 : slots.base;
    }

    /** The in-flight count of the target at {@code position}: from the group's table, else from the target. */
    final int inFlight(int position) {
      if (single != null) {
        return InFlightTable.count(single[base + position]);
      }
      return pageOf != null ? InFlightTable.count(pageOf[position][indexOf[position]])
          : targets[position].inFlight();
    }

    @Override
    public final RegisteredTarget select(SelectionContext context) {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      int a;
      int b;
      if (table == null) {
        long r = random.nextLong();
        int n = targets.length;
        a = (int) (((r >>> 32) * n) >>> 32);
        b = (int) (((r & 0xFFFFFFFFL) * (n - 1)) >>> 32);
        if (b >= a) {
          b++;
        }
      } else {
        a = table.draw(random.nextLong());
        b = table.draw(random.nextLong());
        if (a == b) {
          return targets[a];
        }
      }
      return targets[secondIsBetter(a, b) ? b : a];
    }

    /** Whether candidate {@code b} is strictly less loaded than candidate {@code a}. */
    abstract boolean secondIsBetter(int a, int b);
  }

  private static final class LeastLoaded extends TwoChoices {
    LeastLoaded(RegisteredTarget[] targets, AliasTable table) {
      super(targets, table);
    }

    @Override
    boolean secondIsBetter(int a, int b) {
      return inFlight(b) < inFlight(a);
    }
  }

  private static final class PeakEwma extends TwoChoices {
    /** The same targets when they are the group's own (their estimate can be decayed to now), else null. */
    private final DefaultRegisteredTarget[] decaying;

    PeakEwma(RegisteredTarget[] targets, AliasTable table, DefaultRegisteredTarget[] decaying) {
      super(targets, table);
      this.decaying = decaying;
    }

    @Override
    boolean secondIsBetter(int a, int b) {
      int inFlightA = inFlight(a);
      int inFlightB = inFlight(b);
      if (decaying == null) {
        long latencyA = targets[a].latencyEwmaNanos();
        long latencyB = targets[b].latencyEwmaNanos();
        if (latencyA == 0 || latencyB == 0) {
          return inFlightB < inFlightA;
        }
        return (double) latencyB * (inFlightB + 1) < (double) latencyA * (inFlightA + 1);
      }
      DefaultRegisteredTarget ta = decaying[a];
      DefaultRegisteredTarget tb = decaying[b];
      long latencyA = ta.latencyEwmaNanos();
      long latencyB = tb.latencyEwmaNanos();
      if (latencyA == 0 || latencyB == 0) {
        return inFlightB < inFlightA;
      }
      // both estimates decayed to the same "now": ewma x exp(-(now - stamp) / tau). The common factor
      // exp(-now / tau) cancels, leaving one exponential of the stamps' difference and no clock read.
      double x = (tb.latencyStampNanos() - ta.latencyStampNanos()) / DefaultRegisteredTarget.EWMA_DECAY_NANOS;
      // samples less than 0.1 s apart (the busy case): e^x = 1 + x to within 0.005%
      double skew = x > -0.01 && x < 0.01 ? 1 + x : Math.exp(x);
      return latencyB * (inFlightB + 1) * skew < (double) latencyA * (inFlightA + 1);
    }
  }
}
