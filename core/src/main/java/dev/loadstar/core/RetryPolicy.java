package dev.loadstar.core;

import dev.loadstar.core.config.Checks;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * When a failed attempt goes to another target: the one retry policy of the client and the listeners.
 *
 * <ul>
 *   <li>Nothing was sent (the connection could not be made: refused, unreachable, connect timeout, TLS handshake):
 *       any request goes to another target, within {@link #maxAttempts()}. Such retries are not taken from the retry
 *       budget: they put no load on any application (see docs/architecture.md, "Retries").</li>
 *   <li>The connection was lost after the request was sent and before a response head arrived: only an
 *       {@linkplain #idempotent idempotent} request whose body can be sent again, and only while
 *       {@link #retryOnConnectionLoss()} is on; such a retry is taken from the retry budget.</li>
 *   <li>A timeout, a response (5xx included), a failure once the response started, or the deregistration delay
 *       elapsing: never.</li>
 * </ul>
 *
 * <p>A retry goes to the untried target with the fewest requests in flight, never to one tried already.
 */
public final class RetryPolicy {

  /** The default attempt limit: the first attempt and two retries. */
  public static final int DEFAULT_MAX_ATTEMPTS = 3;
  /** The default share of requests that may be retried after a lost connection. */
  public static final double DEFAULT_BUDGET_RATIO = 0.2;
  /** The default retries per second allowed whatever the ratio. */
  public static final int DEFAULT_BUDGET_MIN_PER_SECOND = 10;

  private static final RetryPolicy DEFAULTS = builder().build();

  private final int maxAttempts;
  private final double budgetRatio;
  private final int budgetMinPerSecond;
  private final boolean retryOnConnectionLoss;

  private RetryPolicy(Builder b) {
    this.maxAttempts = b.maxAttempts;
    this.budgetRatio = b.budgetRatio;
    this.budgetMinPerSecond = b.budgetMinPerSecond;
    this.retryOnConnectionLoss = b.retryOnConnectionLoss;
  }

  /** The defaults: 3 attempts, a budget of 20% plus 10 retries per second, idempotent requests retried after a lost connection. */
  public static RetryPolicy defaults() {
    return DEFAULTS;
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from this policy. */
  public Builder toBuilder() {
    return new Builder().maxAttempts(maxAttempts).budgetRatio(budgetRatio).budgetMinPerSecond(budgetMinPerSecond)
        .retryOnConnectionLoss(retryOnConnectionLoss);
  }

  /**
   * Whether a method is idempotent (RFC 9110 9.2.2: GET, HEAD, OPTIONS, TRACE, PUT, DELETE): the one table the
   * client and the listeners use.
   */
  public static boolean idempotent(HttpMethod method) {
    return method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS
        || method == HttpMethod.PUT || method == HttpMethod.DELETE || method == HttpMethod.TRACE;
  }

  /** Attempts per request, the first included (1-10). */
  public int maxAttempts() {
    return maxAttempts;
  }

  /** Share of requests that may be retried after a lost connection (0.0-1.0). */
  public double budgetRatio() {
    return budgetRatio;
  }

  /** Retries per second allowed by the budget whatever the ratio (0-100000). */
  public int budgetMinPerSecond() {
    return budgetMinPerSecond;
  }

  /** Whether an idempotent request is retried after the connection was lost before a response. */
  public boolean retryOnConnectionLoss() {
    return retryOnConnectionLoss;
  }

  /** {@code {"maxAttempts":3,"budgetRatio":0.2,"budgetMinPerSecond":10,"retryOnConnectionLoss":true}}. */
  public JsonObject toJson() {
    return new JsonObject().put("maxAttempts", maxAttempts).put("budgetRatio", budgetRatio)
        .put("budgetMinPerSecond", budgetMinPerSecond).put("retryOnConnectionLoss", retryOnConnectionLoss);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RetryPolicy p && p.maxAttempts == maxAttempts && p.budgetRatio == budgetRatio
        && p.budgetMinPerSecond == budgetMinPerSecond && p.retryOnConnectionLoss == retryOnConnectionLoss;
  }

  @Override
  public int hashCode() {
    return Objects.hash(maxAttempts, budgetRatio, budgetMinPerSecond, retryOnConnectionLoss);
  }

  @Override
  public String toString() {
    return "RetryPolicy" + toJson().encode();
  }

  /** Builds a {@link RetryPolicy}; each setter validates its value. */
  public static final class Builder {
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private double budgetRatio = DEFAULT_BUDGET_RATIO;
    private int budgetMinPerSecond = DEFAULT_BUDGET_MIN_PER_SECOND;
    private boolean retryOnConnectionLoss = true;

    private Builder() {
    }

    /** Attempts per request, the first included (1-10, default 3; 1 turns retries off). */
    public Builder maxAttempts(int maxAttempts) {
      this.maxAttempts = Checks.range("maxAttempts", maxAttempts, 1, 10);
      return this;
    }

    /** Share of requests that may be retried after a lost connection (0.0-1.0, default 0.2). */
    public Builder budgetRatio(double ratio) {
      this.budgetRatio = Checks.range("budgetRatio", ratio, 0.0, 1.0);
      return this;
    }

    /** Retries per second allowed whatever the ratio (0-100000, default 10). */
    public Builder budgetMinPerSecond(int perSecond) {
      this.budgetMinPerSecond = Checks.range("budgetMinPerSecond", perSecond, 0, 100_000);
      return this;
    }

    /** Whether idempotent requests are retried after a lost connection (default true). */
    public Builder retryOnConnectionLoss(boolean retry) {
      this.retryOnConnectionLoss = retry;
      return this;
    }

    /** The policy. */
    public RetryPolicy build() {
      return new RetryPolicy(this);
    }
  }
}
