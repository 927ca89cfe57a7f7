package dev.loadstar.routing.internal.gateway;

import io.vertx.core.http.HttpConnection;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A listener's limit on open client connections, shared by its workers (one counter for every event loop): a
 * connection beyond it is closed as soon as it is accepted and counted as rejected.
 */
final class ConnectionLimit {

  private final int max;
  private final StatsCounters stats;
  private final AtomicInteger open = new AtomicInteger();

  ConnectionLimit(int max, StatsCounters stats) {
    this.max = max;
    this.stats = stats;
  }

  /** Takes a place for a new connection, or closes it and counts it when the listener is full. */
  boolean admit(HttpConnection conn) {
    if (max == 0) {
      return true;
    }
    if (open.incrementAndGet() > max) {
      open.decrementAndGet();
      stats.rejectedConnections.increment();
      conn.close();
      return false;
    }
    return true;
  }

  /** Gives back the place of a connection that {@link #admit} let in and that closed. */
  void release() {
    if (max != 0) {
      open.decrementAndGet();
    }
  }
}
