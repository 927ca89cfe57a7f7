package dev.loadstar.routing.internal.gateway;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A listener's limit on open client connections, shared by its workers (one counter for every event loop): a
 * connection beyond it is refused, counted as rejected, and closed by the caller as soon as it is accepted.
 */
final class ConnectionLimit {

  private final int max;
  private final LongAdder rejected;
  private final AtomicInteger open = new AtomicInteger();

  /** A limit of {@code max} open connections (0: none) counting refusals in {@code rejected}. */
  ConnectionLimit(int max, LongAdder rejected) {
    this.max = max;
    this.rejected = rejected;
  }

  /** Takes a place for a new connection; false, counted as rejected, when the listener is full. */
  boolean tryAcquire() {
    if (max == 0) {
      return true;
    }
    if (open.incrementAndGet() > max) {
      open.decrementAndGet();
      rejected.increment();
      return false;
    }
    return true;
  }

  /** Gives back the place of a connection that {@link #tryAcquire} let in and that closed. */
  void release() {
    if (max != 0) {
      open.decrementAndGet();
    }
  }
}
