package dev.loadstar.healthcheck.internal;

import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetHealth;
import io.vertx.core.Context;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Arbitration and hand-over: one health per target (an ejection wins while it lasts; otherwise the active state, or
 * {@code unavailable} without active checks), handed to the group by an ordered worker task in batches, because a
 * health change rebuilds the group's snapshot (O(targets)) under the group's lock: that cost never lands on an
 * event loop.
 */
final class HealthUpdates {

  private static final System.Logger LOG = System.getLogger(HealthUpdates.class.getName());

  private final TargetGroup group;
  /** The context whose ordered worker hands values over. */
  private final Context worker;
  private final ConcurrentLinkedQueue<Update> updates = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean flushing = new AtomicBoolean();

  /** A health value to hand to the group, and what to run on the target's shard once it is applied. */
  private record Update(TargetState state, TargetHealth health, Runnable then) {
  }

  HealthUpdates(TargetGroup group, Context worker) {
    this.group = group;
    this.worker = worker;
  }

  /** The one health the group shows for the target. Called on its shard. */
  static TargetHealth effective(TargetState s) {
    if (s.ejected) {
      return s.ejectionHealth;
    }
    return s.machine != null ? s.machine.health() : TargetHealth.UNAVAILABLE;
  }

  /**
   * Hands the target's effective health to the group if it changed; {@code then} (may be null) runs on its shard
   * afterwards, or at once if nothing changed. Called on the target's shard.
   */
  void apply(TargetState s, Runnable then) {
    if (!queue(s, then)) {
      if (then != null) {
        then.run();
      }
      return;
    }
    if (flushing.compareAndSet(false, true)) {
      worker.executeBlocking(() -> {
        flush();
        return null;
      }, true);
    }
  }

  /** Queues the target's effective health if it changed, without handing it over yet; returns whether it did. */
  boolean queue(TargetState s, Runnable then) {
    TargetHealth h = effective(s);
    if (h.equals(s.applied)) {
      return false;
    }
    s.applied = h;
    updates.add(new Update(s, h, then));
    return true;
  }

  private void flush() {
    for (;;) {
      drain();
      flushing.set(false);
      if (updates.isEmpty() || !flushing.compareAndSet(false, true)) {
        return;
      }
    }
  }

  /**
   * Hands every queued value to the group in batches (one snapshot rebuild per batch, not per target); a target that
   * appears twice starts a new batch, so that each of its transitions is its own event. Runs on a worker thread.
   */
  void drain() {
    Map<String, TargetHealth> batch = new LinkedHashMap<>();
    List<Update> done = new ArrayList<>();
    Update u;
    while ((u = updates.poll()) != null) {
      String id = u.state.id;
      if (batch.containsKey(id)) {
        applyBatch(batch, done);
      }
      if (group.target(id) == u.state.rt) {
        batch.put(id, u.health);
      }
      done.add(u);
    }
    applyBatch(batch, done);
  }

  private void applyBatch(Map<String, TargetHealth> batch, List<Update> done) {
    if (!batch.isEmpty()) {
      try {
        group.updateHealth(batch);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "target group " + group.name() + ": health update failed", e);
      }
      batch.clear();
    }
    Map<Shard, List<Runnable>> continuations = new IdentityHashMap<>();
    for (Update u : done) {
      if (u.then != null) {
        continuations.computeIfAbsent(u.state.shard, k -> new ArrayList<>()).add(u.then);
      }
    }
    done.clear();
    continuations.forEach((shard, list) -> shard.context.runOnContext(v -> {
      for (Runnable r : list) {
        r.run();
      }
    }));
  }
}
