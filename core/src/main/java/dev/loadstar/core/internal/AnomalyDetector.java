package dev.loadstar.core.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Anomaly detection and mitigation, ALB's automatic target weights: each evaluation compares every healthy
 * target's error rate (5xx responses, connection failures, resets and timeouts per request, since the last
 * evaluation that used its counts) with the pooled rate of the other healthy targets.
 *
 * <p>Detection (always on): with at least {@value #MIN_HEALTHY_TARGETS} healthy targets, a target with at least
 * {@value #MIN_REQUESTS} requests and {@value #MIN_FAILURES} failures in its window is {@code anomalous} when its
 * rate is at least {@value #RATE_RATIO} times its peers' rate and at least {@value #RATE_MARGIN} above it, and
 * {@code normal} otherwise. A target with fewer requests keeps its status and its counts carry over to the next
 * evaluation; peers with fewer than {@value #MIN_REQUESTS} requests together give no verdict either. With fewer
 * healthy targets every target is normal.
 *
 * <p>Mitigation (only when the algorithm asks for it: {@code weighted_random} with anomaly mitigation on): each
 * evaluation halves an anomalous target's weight factor, down to {@value #MIN_FACTOR}, so that it still gets the
 * traffic that shows when it recovers; a normal target's factor doubles back up to 1 (gradual restoration).
 *
 * <p>Not thread-safe: the group calls it under its writer lock.
 */
final class AnomalyDetector {

  /** ALB re-evaluates every 5 seconds. */
  static final long EVALUATION_INTERVAL_MS = 5_000;
  /** ALB: detection needs at least 3 healthy targets. */
  static final int MIN_HEALTHY_TARGETS = 3;
  /** Requests a window needs before it is judged. */
  static final int MIN_REQUESTS = 20;
  /** Failures a window needs before it can be anomalous. */
  static final int MIN_FAILURES = 5;
  /** How many times its peers' error rate a target's rate must reach. */
  static final double RATE_RATIO = 2.0;
  /** How far (absolute) above its peers' error rate a target's rate must be. */
  static final double RATE_MARGIN = 0.1;
  /** Smallest weight factor mitigation applies. */
  static final double MIN_FACTOR = 1.0 / 16;

  private AnomalyDetector() {
  }

  /** Forgets every window (when evaluation starts after a pause, old counts say nothing about now). */
  static void resetWindows(Collection<DefaultRegisteredTarget> members) {
    for (DefaultRegisteredTarget t : members) {
      t.windowFailures.reset();
      t.windowRequests.reset();
    }
  }

  /** Whether evaluation has anything to do: enough healthy targets, or a verdict or a cut to undo. */
  static boolean needed(Collection<DefaultRegisteredTarget> members) {
    int healthy = 0;
    for (DefaultRegisteredTarget t : members) {
      if (t.anomalous || t.anomalyFactor < 1.0) {
        return true;
      }
      if (isHealthy(t) && ++healthy >= MIN_HEALTHY_TARGETS) {
        return true;
      }
    }
    return false;
  }

  private static boolean isHealthy(DefaultRegisteredTarget t) {
    return !t.draining() && t.health().isRoutable();
  }

  /**
   * Runs one evaluation over the group's members; returns whether any weight factor changed (the group then
   * rebuilds its snapshot).
   */
  static boolean evaluate(Collection<DefaultRegisteredTarget> members, boolean mitigation) {
    List<DefaultRegisteredTarget> healthy = new ArrayList<>(members.size());
    boolean changed = false;
    for (DefaultRegisteredTarget t : members) {
      if (isHealthy(t)) {
        healthy.add(t);
      } else {
        // not routed to by health: no verdict, no cut; it starts afresh when it is healthy again
        t.windowFailures.reset();
        t.windowRequests.reset();
        t.anomalous = false;
        changed |= setFactor(t, 1.0);
      }
    }
    int n = healthy.size();
    long[] failures = new long[n];
    long[] requests = new long[n];
    long totalFailures = 0;
    long totalRequests = 0;
    for (int i = 0; i < n; i++) {
      DefaultRegisteredTarget t = healthy.get(i);
      // failures first: endRequest counts the request before the failure, so failures <= requests
      failures[i] = t.windowFailures.sumThenReset();
      requests[i] = t.windowRequests.sumThenReset();
      failures[i] = Math.min(failures[i], requests[i]);
      totalFailures += failures[i];
      totalRequests += requests[i];
    }
    for (int i = 0; i < n; i++) {
      DefaultRegisteredTarget t = healthy.get(i);
      if (n < MIN_HEALTHY_TARGETS) {
        t.anomalous = false;
      } else {
        long peerRequests = totalRequests - requests[i];
        if (requests[i] < MIN_REQUESTS || peerRequests < MIN_REQUESTS) {
          // too little traffic to judge: keep the verdict, carry the counts over
          t.windowRequests.add(requests[i]);
          t.windowFailures.add(failures[i]);
        } else {
          double rate = (double) failures[i] / requests[i];
          double peerRate = (double) (totalFailures - failures[i]) / peerRequests;
          t.anomalous = isAnomalous(failures[i], rate, peerRate);
        }
      }
      double f = t.anomalyFactor;
      if (mitigation && t.anomalous) {
        changed |= setFactor(t, Math.max(MIN_FACTOR, f / 2));
      } else if (f < 1.0) {
        changed |= setFactor(t, Math.min(1.0, f * 2));
      }
    }
    return changed;
  }

  /** The detection rule for one target's window. */
  static boolean isAnomalous(long failures, double rate, double peerRate) {
    return failures >= MIN_FAILURES && rate >= RATE_RATIO * peerRate && rate - peerRate >= RATE_MARGIN;
  }

  private static boolean setFactor(DefaultRegisteredTarget t, double factor) {
    if (t.anomalyFactor == factor) {
      return false;
    }
    t.anomalyFactor = factor;
    return true;
  }
}
