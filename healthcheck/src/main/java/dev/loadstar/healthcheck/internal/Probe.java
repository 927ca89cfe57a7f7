package dev.loadstar.healthcheck.internal;

import dev.loadstar.core.TargetHealth;
import io.vertx.core.Future;

/** One way of checking a target (HTTP(S) and gRPC, TCP, a function target's handler). */
interface Probe {

  /** Where a probe hands a check's verdict: null when it passed. Called on the target's shard. */
  @FunctionalInterface
  interface Verdict {
    void end(Attempt attempt, TargetHealth failure);
  }

  /** Prepares what checks of a newly followed target need. Called on its shard. */
  default void attach(TargetState s) {
  }

  /** Releases what {@link #attach} prepared once the target is no longer followed. Called on its shard. */
  default void detach(TargetState s) {
  }

  /**
   * Starts a check; it ends with one call to the verdict (unless its deadline ended it first: the attempt is then
   * {@link Attempt#done done}). Called on the target's shard; may throw if the probe's client is closed.
   */
  void check(Attempt a);

  /** Releases the shard's idle resources (the checker is closing). Called on the shard. */
  default void closeShard(Shard shard) {
  }

  /** Closes the probe's client. */
  Future<Void> close();
}
