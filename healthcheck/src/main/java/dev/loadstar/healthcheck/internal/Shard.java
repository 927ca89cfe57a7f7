package dev.loadstar.healthcheck.internal;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import java.util.ArrayDeque;
import java.util.HashMap;

/** A share of a checker's targets and the event-loop context that owns them. Fields are confined to that context. */
final class Shard {

  final Context context;
  final HashMap<String, TargetState> byId = new HashMap<>();
  /** The addresses HTTP checks go to, with their idle kept-alive connections. */
  final HashMap<String, Endpoint> endpoints = new HashMap<>();
  /** Targets whose check is due while the shard's share of the concurrency cap is used up (FIFO). */
  final ArrayDeque<TargetState> waiting = new ArrayDeque<>();
  /** Timer buckets by due millisecond (see {@link Timers#at}). */
  final HashMap<Long, Timers.Bucket> buckets = new HashMap<>();
  volatile int inFlight;

  Shard(Context context) {
    this.context = context;
  }

  /**
   * One event-loop context per shard. Vert.x's public API gives a non-Vert.x thread one sticky context, so distinct
   * contexts come from {@code VertxInternal#createEventLoopContext} (round robin over the event loops); a Vertx that
   * is not the standard implementation gets a single shard.
   */
  static Shard[] create(Vertx vertx, int n) {
    if (!(vertx instanceof VertxInternal)) {
      return new Shard[] {new Shard(vertx.getOrCreateContext())};
    }
    if (n == 1) {
      // the caller's event loop when started on one (Vert.x's context affinity), else a new event-loop context
      Context current = vertx.getOrCreateContext();
      return new Shard[] {new Shard(current.isEventLoopContext() ? current
          : ((VertxInternal) vertx).createEventLoopContext())};
    }
    Shard[] shards = new Shard[n];
    for (int i = 0; i < n; i++) {
      shards[i] = new Shard(((VertxInternal) vertx).createEventLoopContext());
    }
    return shards;
  }
}
