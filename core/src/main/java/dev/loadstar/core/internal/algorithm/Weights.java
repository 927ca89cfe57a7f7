package dev.loadstar.core.internal.algorithm;

import dev.loadstar.core.RegisteredTarget;
import java.util.ArrayList;
import java.util.List;

/**
 * Helpers that turn selection weights into integers.
 */
final class Weights {

  private Weights() {
  }

  /**
   * Integer weights reduced by their greatest common divisor. Integral selection weights are used as they are;
   * fractional ones are multiplied by {@code scale} first (every positive weight stays at least 1; callers pass
   * positive weights only, or all zero weights, which become equal weights of 1).
   */
  static int[] integerWeights(RegisteredTarget[] targets, int scale) {
    boolean integral = true;
    for (RegisteredTarget t : targets) {
      double w = t.selectionWeight();
      if (w != Math.rint(w)) {
        integral = false;
        break;
      }
    }
    int[] out = new int[targets.length];
    int g = 0;
    for (int i = 0; i < targets.length; i++) {
      double w = targets[i].selectionWeight();
      int v = (int) Math.max(1, Math.round(integral ? w : w * scale));
      out[i] = v;
      g = gcd(g, v);
    }
    if (g > 1) {
      for (int i = 0; i < out.length; i++) {
        out[i] /= g;
      }
    }
    return out;
  }

  /**
   * The targets a selector chooses from: those whose selection weight is positive (a weight of 0 takes no new
   * requests). When every target has weight 0 the group fails open to all of them with equal weights (a weight-0
   * target set alone would otherwise refuse every request); {@link #doubleWeights} and {@link #integerWeights} then
   * give each the same weight.
   */
  static RegisteredTarget[] selectable(List<RegisteredTarget> targets) {
    List<RegisteredTarget> out = new ArrayList<>(targets.size());
    for (RegisteredTarget t : targets) {
      if (t.selectionWeight() > 0) {
        out.add(t);
      }
    }
    return out.isEmpty() ? targets.toArray(new RegisteredTarget[0]) : out.toArray(new RegisteredTarget[0]);
  }

  /** The selection weights as doubles; all 1 when every weight is 0 (fail-open to equal weights). */
  static double[] doubleWeights(RegisteredTarget[] targets) {
    double[] out = new double[targets.length];
    boolean anyPositive = false;
    for (int i = 0; i < targets.length; i++) {
      out[i] = targets[i].selectionWeight();
      anyPositive |= out[i] > 0;
    }
    if (!anyPositive) {
      java.util.Arrays.fill(out, 1.0);
    }
    return out;
  }

  static boolean allEqual(double[] weights) {
    for (double w : weights) {
      if (w != weights[0]) {
        return false;
      }
    }
    return true;
  }

  static boolean allEqual(int[] weights) {
    for (int w : weights) {
      if (w != weights[0]) {
        return false;
      }
    }
    return true;
  }

  static int gcd(int a, int b) {
    while (b != 0) {
      int t = a % b;
      a = b;
      b = t;
    }
    return a;
  }
}
