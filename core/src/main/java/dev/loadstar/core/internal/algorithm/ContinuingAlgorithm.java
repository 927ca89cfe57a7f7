package dev.loadstar.core.internal.algorithm;

import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.TargetSelector;
import java.util.List;

/**
 * An algorithm whose selectors rotate through their targets with a counter (round robin, the round-robin tie break
 * of least outstanding requests): a new snapshot's selector continues from the previous selector's position instead
 * of starting over, so frequent snapshots (churn) do not favour the first targets.
 */
public interface ContinuingAlgorithm {

  /** A selector over {@code targets} whose rotation starts where {@code previous} is now (if it is one of ours). */
  TargetSelector newSelector(List<RegisteredTarget> targets, TargetSelector previous);

  /** The rotation position to continue from: the previous selector's, or 0. */
  static long positionOf(TargetSelector previous) {
    return previous instanceof Rotating r ? r.position() : 0;
  }

  /** A selector with a rotation counter. */
  interface Rotating {
    /** The counter's current value. */
    long position();
  }
}
