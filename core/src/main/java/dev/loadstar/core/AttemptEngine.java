package dev.loadstar.core;

import dev.loadstar.core.config.Checks;
import dev.loadstar.core.internal.RetryBudget;
import dev.loadstar.core.time.TimeSource;
import io.vertx.core.http.HttpMethod;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The attempt engine of one front end (a {@link LoadBalancedClient}, an HTTP or TCP listener): it makes an
 * {@link Exchange} per request, which gives the target for each attempt (stickiness first, then the group's
 * algorithm, nested balancers followed), records each attempt's end, and says whether and where to retry under the
 * engine's {@link RetryPolicy} and its retry budget. Thread-safe: exchanges of any thread share the budget.
 */
public final class AttemptEngine {

  private final RetryPolicy policy;
  private final TimeSource time;
  private final ExchangeListener.Factory listeners;
  private final RetryBudget budget;
  private final AtomicInteger rotation = new AtomicInteger();
  private final String zone;

  private AttemptEngine(RetryPolicy policy, TimeSource time, ExchangeListener.Factory listeners, String zone) {
    this.policy = Checks.notNull("policy", policy);
    this.time = Checks.notNull("time", time);
    this.listeners = Checks.notNull("listeners", listeners);
    this.zone = zone;
    this.budget = new RetryBudget(policy.budgetRatio(), policy.budgetMinPerSecond(), time::nanoTime);
  }

  /**
   * An engine with this policy, reading time from {@code time}, reporting to the listeners {@code listeners} makes,
   * for a front end in availability zone {@code zone} ({@code null} for none; see {@link SelectionContext#zone()}).
   */
  public static AttemptEngine create(RetryPolicy policy, TimeSource time, ExchangeListener.Factory listeners,
      String zone) {
    return new AttemptEngine(policy, time, listeners, zone);
  }

  /** A new exchange for one request of {@code method} to {@code group}; nothing is selected until {@link Exchange#start()}. */
  public Exchange exchange(TargetGroup group, HttpMethod method) {
    return new Exchange(this, Checks.notNull("group", group), RetryPolicy.idempotent(method));
  }

  /** A new exchange for one connection to {@code group} (a TCP listener): network targets only, always replayable. */
  public Exchange connection(TargetGroup group) {
    return new Exchange(this, Checks.notNull("group", group), true).networkOnly();
  }

  /** The policy. */
  public RetryPolicy policy() {
    return policy;
  }

  /** The time source. */
  public TimeSource time() {
    return time;
  }

  /** The availability zone of the front end, or {@code null}. */
  public String zone() {
    return zone;
  }

  /** Retries taken from the budget in its current window (10 s). */
  public long budgetedRetriesInWindow() {
    return budget.retriesInWindow();
  }

  ExchangeListener.Factory listeners() {
    return listeners;
  }

  RetryBudget budget() {
    return budget;
  }

  int nextRotation() {
    return rotation.getAndIncrement();
  }
}
