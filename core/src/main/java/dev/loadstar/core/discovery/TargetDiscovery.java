package dev.loadstar.core.discovery;

import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.internal.discovery.DefaultTargetDiscovery;
import dev.loadstar.core.time.TimeSource;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Keeps one target group's membership in step with its {@link TargetSource}s, beside the group and through its
 * public API only.
 *
 * <p>Rules: the targets of all sources are merged by id, and by address ({@code host:port}): the same id or the
 * same address reported by two sources is one target, with the fields of the source added first. Discovery
 * registers what the merged set holds and deregisters (the group drains it) only what it registered itself and
 * no source reports any more, after the {@link DiscoveryConfig#removalDelay() removal delay}; a target reported
 * again within that window keeps its registration and its health. Targets registered directly by someone else
 * (a scaling group, the application) are never touched: not updated, not removed, and an id or address they hold
 * is not registered again by discovery. A failing source keeps its last known good targets; only a successful,
 * explicitly empty answer removes them.
 *
 * <p>Threading: state changes run on one Vert.x context; every method may be called from any thread.
 */
public interface TargetDiscovery {

  /** Starts every source of {@code config} for {@code group} and returns the running discovery. */
  static TargetDiscovery start(Vertx vertx, TargetGroup group, DiscoveryConfig config) {
    return DefaultTargetDiscovery.start(vertx, group, config, TimeSource.system(vertx));
  }

  /**
   * Starts every source of {@code config} for {@code group} on the given time source: the removal delay, the
   * readiness timeout and every source's polls and retries run on it (tests pass a
   * {@link dev.loadstar.core.time.ManualTimeSource}).
   */
  static TargetDiscovery start(Vertx vertx, TargetGroup group, DiscoveryConfig config, TimeSource time) {
    return DefaultTargetDiscovery.start(vertx, group, config, time);
  }

  /** The group being fed. */
  TargetGroup group();

  /** The configuration. */
  DiscoveryConfig config();

  /** Whether every source has delivered its first answer. */
  boolean isReady();

  /** {@link #whenReady(Duration)} with the configuration's {@link DiscoveryConfig#readyTimeout() readyTimeout}. */
  Future<Void> whenReady();

  /**
   * Completes once every source has delivered its first answer and the group reflects them, so a first request
   * does not meet an empty group. Fails with a {@link DiscoveryNotReadyException} naming the group, the sources
   * still pending (with their last error) and the timeout when that takes longer than {@code timeout}, and with an
   * {@link IllegalStateException} when the discovery is closed first.
   */
  Future<Void> whenReady(Duration timeout);

  /** The status of every source, in configuration order. */
  List<TargetSourceStatus> status();

  /** The status of the named source, or {@code null}. */
  TargetSourceStatus status(String sourceName);

  /** Ids of targets no source reports any more that wait for the removal delay before being deregistered. */
  Set<String> pendingRemovals();

  /** A human-readable summary: readiness, each source's state, targets, last success and error, pending removals. */
  String describe();

  /** Adds a listener; returns a handle that removes it. */
  Runnable addListener(DiscoveryListener listener);

  /**
   * Stops every source and timer; idempotent. The group keeps the targets registered so far (closing the group
   * is the group's business); pending removals are dropped.
   */
  Future<Void> close();
}
