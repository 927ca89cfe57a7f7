package dev.loadstar.core.discovery;

import dev.loadstar.core.Target;
import dev.loadstar.core.time.TimeSource;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Collection;

/**
 * What a running {@link TargetSource} reports to: complete answers and failed attempts. Every method may be
 * called from any thread; reports are applied in order on the discovery's context. Reports made after the
 * source's subscription was closed are ignored.
 */
public interface TargetSourceContext {

  /** The Vert.x instance the source uses for clients and file access. */
  Vertx vertx();

  /**
   * Where the source reads the time and sets its timers (polls, refreshes, retry backoff): the discovery's
   * {@link TimeSource}, so that a test moving a manual time source moves every source's schedule too. The default
   * is the system clock with {@link #vertx()}'s timers.
   */
  default TimeSource time() {
    return TimeSource.system(vertx());
  }

  /** The name of the target group being fed. */
  String groupName();

  /** This source's name within the group's discovery (unique per group). */
  String sourceName();

  /**
   * Reports a complete answer: the full current set of targets this source sees. An empty collection means the
   * source positively knows there are zero targets (e.g. a file with an empty list); never report an empty set
   * because of an error, call {@link #fail} instead so the last known good set is kept.
   */
  default void update(Collection<Target> targets) {
    update(targets, null);
  }

  /**
   * Reports a complete answer and when the source will ask again ({@code null} for a source that is told about
   * changes rather than polling), shown in {@link TargetSourceStatus#nextAttempt()}.
   */
  void update(Collection<Target> targets, Duration nextRefresh);

  /** Reports a failed attempt; the last known good set stays in force. */
  default void fail(Throwable cause) {
    fail(cause, null);
  }

  /** Reports a failed attempt and when the source will retry ({@code null} when unknown). */
  void fail(Throwable cause, Duration retryIn);
}
