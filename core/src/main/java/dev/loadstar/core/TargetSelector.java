package dev.loadstar.core;

/**
 * Picks one target among an immutable list; made by a {@link BalancingAlgorithm} for each snapshot.
 *
 * <p>Implementations are thread-safe, lock-free and do not allocate in {@link #select}.
 */
@FunctionalInterface
public interface TargetSelector {

  /** A selector that never selects anything. */
  TargetSelector EMPTY = ctx -> null;

  /** The selected target, or {@code null} when there is none. */
  RegisteredTarget select(SelectionContext context);
}
