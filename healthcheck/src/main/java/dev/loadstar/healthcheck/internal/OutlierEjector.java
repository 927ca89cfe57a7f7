package dev.loadstar.healthcheck.internal;

import dev.loadstar.core.RequestOutcome;
import dev.loadstar.core.TargetHealth;
import dev.loadstar.healthcheck.OutlierDetection;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

/**
 * Passive health: request outcomes feed a circuit breaker per target; the breaker opening ejects the target
 * ({@code Target.OutlierEjected}) for {@code min(baseEjectionTime × n, maxEjectionTime)}, the n-th ejection in a row
 * (n starts again once the target stayed in rotation for {@code maxEjectionTime}); when the ejection ends the breaker
 * is half-open and the next request decides. At most {@code maxEjectionPercent} of the followed targets are ejected
 * at once. Ejections are decided on the target's shard; {@link #onRequestEnd} runs on the request's thread.
 */
final class OutlierEjector {

  private final String groupName;
  private final OutlierDetection settings;
  private final CircuitBreakerConfig breakerConfig;
  private final Timers timers;
  private final HealthUpdates updates;
  private final AtomicBoolean closing;
  /** Targets followed now: the base of the ejection cap. */
  private final IntSupplier tracked;
  private final AtomicInteger ejected = new AtomicInteger();
  private final AtomicLong refusedByCap = new AtomicLong();

  OutlierEjector(String groupName, OutlierDetection settings, Timers timers, HealthUpdates updates,
      AtomicBoolean closing, IntSupplier tracked) {
    this.groupName = groupName;
    this.settings = settings;
    this.timers = timers;
    this.updates = updates;
    this.closing = closing;
    this.tracked = tracked;
    this.breakerConfig = CircuitBreakerConfig.custom()
        .slidingWindow(settings.consecutiveFailures(), settings.consecutiveFailures(),
            CircuitBreakerConfig.SlidingWindowType.COUNT_BASED,
            CircuitBreakerConfig.SlidingWindowSynchronizationStrategy.LOCK_FREE)
        .failureRateThreshold(100)
        .slowCallRateThreshold(100)
        .slowCallDurationThreshold(Duration.ofDays(1))
        .permittedNumberOfCallsInHalfOpenState(1)
        .waitDurationInOpenState(Duration.ofDays(1))
        .automaticTransitionFromOpenToHalfOpenEnabled(false)
        .writableStackTraceEnabled(false)
        .build();
  }

  /** Targets ejected now. */
  int ejected() {
    return ejected.get();
  }

  /** Ejections refused because the cap was reached. */
  long refusedByCap() {
    return refusedByCap.get();
  }

  /** Gives a newly followed target its breaker; opening it hops to the target's shard. */
  void follow(TargetState s) {
    CircuitBreaker cb = CircuitBreaker.of(groupName + "/" + s.id, breakerConfig);
    cb.getEventPublisher().onStateTransition(e -> {
      if (e.getStateTransition().getToState() == CircuitBreaker.State.OPEN) {
        boolean fromTrial = e.getStateTransition().getFromState() == CircuitBreaker.State.HALF_OPEN;
        s.shard.context.runOnContext(v -> breakerOpened(s, fromTrial));
      }
    });
    s.breaker = cb;
  }

  /** Records a request's outcome (any thread; lock-free; a success while nothing failed is not even recorded). */
  void onRequestEnd(TargetState s, RequestOutcome outcome, long latencyNanos) {
    CircuitBreaker cb = s.breaker;
    long latency = Math.max(0, latencyNanos);
    if (outcome.isFailure()) {
      s.sawFailure = true;
      cb.onError(latency, TimeUnit.NANOSECONDS, RequestFailure.of(outcome));
    } else if (s.sawFailure || cb.getState() != CircuitBreaker.State.CLOSED) {
      // A success matters only after a failure (it breaks the run) or to decide a trial; otherwise skip the work.
      s.sawFailure = false;
      cb.onSuccess(latency, TimeUnit.NANOSECONDS);
    }
  }

  private void breakerOpened(TargetState s, boolean fromTrial) {
    if (closing.get() || s.stopped || s.ejected || s.breaker.getState() != CircuitBreaker.State.OPEN) {
      return;
    }
    if (s.machine != null && !s.machine.health().isRoutable()) {
      // Active checks already keep it out of rotation (its traffic came from failing open): nothing to eject.
      s.breaker.transitionToClosedState();
      return;
    }
    int cap = (int) ((long) tracked.getAsInt() * settings.maxEjectionPercent() / 100);
    for (;;) {
      int now = ejected.get();
      if (now >= cap) {
        refusedByCap.incrementAndGet();
        s.breaker.transitionToClosedState();
        return;
      }
      if (ejected.compareAndSet(now, now + 1)) {
        break;
      }
    }
    long now = timers.nanoTime();
    if (s.ejections > 0 && now - s.lastEjectionEndNanos >= settings.maxEjectionTime().toNanos()) {
      s.ejections = 0;
    }
    s.ejections++;
    Duration time = settings.ejectionTime(s.ejections);
    s.ejected = true;
    String cause = fromTrial ? "its trial request failed"
        : settings.consecutiveFailures() + " consecutive failed requests";
    s.ejectionHealth = TargetHealth.unhealthy(TargetHealth.Reason.TARGET_OUTLIER_EJECTED,
        "Ejected by outlier detection after " + cause + " (ejection " + s.ejections + ", for " + format(time) + ")");
    s.ejectionTimer = timers.timer(time.toMillis(), () -> endEjection(s));
    updates.apply(s, null);
  }

  private void endEjection(TargetState s) {
    s.ejectionTimer = -1;
    if (closing.get() || s.stopped || !s.ejected) {
      return;
    }
    s.ejected = false;
    ejected.decrementAndGet();
    s.lastEjectionEndNanos = timers.nanoTime();
    if (s.breaker.getState() == CircuitBreaker.State.OPEN) {
      s.breaker.transitionToHalfOpenState();
    }
    updates.apply(s, null);
  }

  /** Ends the target's ejection without a trial (it is no longer followed, or the checker closes); on its shard. */
  boolean release(TargetState s) {
    if (!s.ejected) {
      return false;
    }
    timers.cancel(s.ejectionTimer);
    s.ejectionTimer = -1;
    s.ejected = false;
    ejected.decrementAndGet();
    return true;
  }

  static String format(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
  }

  /** Stack-less, shared failures recorded into the circuit breakers (no allocation per request). */
  static final class RequestFailure extends Exception {
    private static final long serialVersionUID = 1L;
    private static final RequestFailure[] BY_OUTCOME = new RequestFailure[RequestOutcome.values().length];

    static {
      for (RequestOutcome o : RequestOutcome.values()) {
        BY_OUTCOME[o.ordinal()] = new RequestFailure(o);
      }
    }

    private RequestFailure(RequestOutcome outcome) {
      super(outcome.name(), null, false, false);
    }

    static RequestFailure of(RequestOutcome outcome) {
      return BY_OUTCOME[outcome.ordinal()];
    }
  }
}
