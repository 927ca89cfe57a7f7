package dev.loadstar.core;

import dev.loadstar.core.internal.Checks;
import io.vertx.ext.web.client.WebClientOptions;

/**
 * Options of a {@link LoadBalancedClient}: the shared client's options, timeouts, retries and the retry budget.
 *
 * <p>Mutable, for building; the client copies what it needs at creation.
 */
public final class LoadBalancedClientOptions {

  /** Default maximum attempts per request (the first try plus one retry). */
  public static final int DEFAULT_MAX_ATTEMPTS = 2;
  /** Default share of requests that may be retries. */
  public static final double DEFAULT_RETRY_BUDGET_RATIO = 0.2;
  /** Default number of retries per second always allowed, whatever the ratio. */
  public static final int DEFAULT_RETRY_BUDGET_MIN_PER_SECOND = 10;
  /** Default request timeout (ALB's idle timeout: 60 s). */
  public static final long DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
  /** Default connect timeout (ALB's: 10 s). */
  public static final int DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

  private WebClientOptions webClientOptions = new WebClientOptions();
  private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
  private double retryBudgetRatio = DEFAULT_RETRY_BUDGET_RATIO;
  private int retryBudgetMinPerSecond = DEFAULT_RETRY_BUDGET_MIN_PER_SECOND;
  private long requestTimeoutMs = DEFAULT_REQUEST_TIMEOUT_MS;
  private int connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS;

  /** Options with the defaults. */
  public LoadBalancedClientOptions() {
  }

  /** The options of the shared {@code WebClient}. */
  public WebClientOptions getWebClientOptions() {
    return webClientOptions;
  }

  /** Sets the options of the shared {@code WebClient}. */
  public LoadBalancedClientOptions setWebClientOptions(WebClientOptions options) {
    this.webClientOptions = Checks.notNull("webClientOptions", options);
    return this;
  }

  /** Maximum attempts per request, each on a different target (1-10, default 2). */
  public int getMaxAttempts() {
    return maxAttempts;
  }

  /** Sets the maximum attempts per request (1-10). */
  public LoadBalancedClientOptions setMaxAttempts(int maxAttempts) {
    this.maxAttempts = Checks.range("maxAttempts", maxAttempts, 1, 10);
    return this;
  }

  /** Share of requests that may be retried (0.0-1.0, default 0.2). */
  public double getRetryBudgetRatio() {
    return retryBudgetRatio;
  }

  /** Sets the share of requests that may be retried (0.0-1.0). */
  public LoadBalancedClientOptions setRetryBudgetRatio(double ratio) {
    this.retryBudgetRatio = Checks.range("retryBudgetRatio", ratio, 0.0, 1.0);
    return this;
  }

  /** Retries per second allowed whatever the ratio (default 10). */
  public int getRetryBudgetMinPerSecond() {
    return retryBudgetMinPerSecond;
  }

  /** Sets the retries per second allowed whatever the ratio (0-100000). */
  public LoadBalancedClientOptions setRetryBudgetMinPerSecond(int perSecond) {
    this.retryBudgetMinPerSecond = Checks.range("retryBudgetMinPerSecond", perSecond, 0, 100_000);
    return this;
  }

  /** Per-attempt timeout for the whole response in milliseconds (default 60000). */
  public long getRequestTimeoutMs() {
    return requestTimeoutMs;
  }

  /** Sets the per-attempt response timeout in milliseconds (1-3600000). */
  public LoadBalancedClientOptions setRequestTimeoutMs(long timeoutMs) {
    this.requestTimeoutMs = Checks.range("requestTimeoutMs", timeoutMs, 1, 3_600_000);
    return this;
  }

  /** Connect timeout in milliseconds (default 10000). */
  public int getConnectTimeoutMs() {
    return connectTimeoutMs;
  }

  /** Sets the connect timeout in milliseconds (1-600000). */
  public LoadBalancedClientOptions setConnectTimeoutMs(int timeoutMs) {
    this.connectTimeoutMs = Checks.range("connectTimeoutMs", timeoutMs, 1, 600_000);
    return this;
  }
}
