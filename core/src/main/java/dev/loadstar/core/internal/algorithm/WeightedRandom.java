package dev.loadstar.core.internal.algorithm;

import dev.loadstar.core.BalancingAlgorithm;
import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.SelectionContext;
import dev.loadstar.core.TargetSelector;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * ALB's {@code weighted_random}: each request goes to a random target with probability proportional to its
 * selection weight (an alias table: O(1), one random number per selection). With anomaly mitigation on, the group
 * scales the weight of anomalous targets down (see {@code AnomalyDetector}).
 */
final class WeightedRandom implements BalancingAlgorithm {

  private final boolean anomalyMitigation;

  WeightedRandom(boolean anomalyMitigation) {
    this.anomalyMitigation = anomalyMitigation;
  }

  @Override
  public String name() {
    return "weighted_random";
  }

  /** ALB: "not with sticky sessions". */
  @Override
  public boolean supportsStickiness() {
    return false;
  }

  @Override
  public boolean anomalyMitigation() {
    return anomalyMitigation;
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
    if (Weights.allEqual(weights)) {
      return new Uniform(arr);
    }
    return new Aliased(arr, new AliasTable(weights));
  }

  @Override
  public String toString() {
    return name() + (anomalyMitigation ? "(anomaly_mitigation=on)" : "");
  }

  /** Uniform choice among equal weights. */
  static final class Uniform implements TargetSelector {
    private final RegisteredTarget[] targets;

    Uniform(RegisteredTarget[] targets) {
      this.targets = targets;
    }

    @Override
    public RegisteredTarget select(SelectionContext context) {
      return targets[ThreadLocalRandom.current().nextInt(targets.length)];
    }
  }

  /** Weighted choice through an alias table. */
  static final class Aliased implements TargetSelector {
    private final RegisteredTarget[] targets;
    private final AliasTable table;

    Aliased(RegisteredTarget[] targets, AliasTable table) {
      this.targets = targets;
      this.table = table;
    }

    @Override
    public RegisteredTarget select(SelectionContext context) {
      return targets[table.draw(ThreadLocalRandom.current().nextLong())];
    }
  }
}
