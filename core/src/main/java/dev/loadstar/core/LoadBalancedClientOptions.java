package dev.loadstar.core;

import dev.loadstar.core.config.Checks;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClientOptions;

/**
 * Options of a {@link LoadBalancedClient}: the shared client's options, timeouts, retries and the retry budget.
 *
 * <p>Mutable, for building, and JSON-loadable ({@link #LoadBalancedClientOptions(JsonObject)}, {@link #toJson()});
 * every setter validates its value and fails with {@code name: value (expected: ...)}. The client copies the
 * options at creation, so later changes do not affect it.
 */
public final class LoadBalancedClientOptions {

  /** Default maximum attempts per request (the first try plus two retries; {@link RetryPolicy}'s default). */
  public static final int DEFAULT_MAX_ATTEMPTS = RetryPolicy.DEFAULT_MAX_ATTEMPTS;
  /** Default share of requests that may be retried after a lost connection. */
  public static final double DEFAULT_RETRY_BUDGET_RATIO = RetryPolicy.DEFAULT_BUDGET_RATIO;
  /** Default number of such retries per second always allowed, whatever the ratio. */
  public static final int DEFAULT_RETRY_BUDGET_MIN_PER_SECOND = RetryPolicy.DEFAULT_BUDGET_MIN_PER_SECOND;
  /** Default request timeout (ALB's idle timeout: 60 s). */
  public static final long DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
  /** Default connect timeout (ALB's: 10 s). */
  public static final int DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
  /** Default wait before a retry: none (the retry goes to another target at once). */
  public static final long DEFAULT_RETRY_BACKOFF_MS = 0;

  private WebClientOptions webClientOptions = new WebClientOptions();
  private PoolOptions poolOptions = new PoolOptions();
  private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
  private double retryBudgetRatio = DEFAULT_RETRY_BUDGET_RATIO;
  private int retryBudgetMinPerSecond = DEFAULT_RETRY_BUDGET_MIN_PER_SECOND;
  private long requestTimeoutMs = DEFAULT_REQUEST_TIMEOUT_MS;
  private int connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS;
  private long retryBackoffMs = DEFAULT_RETRY_BACKOFF_MS;
  private String localZone;
  private boolean verifyTargetCertificates;

  /** Options with the defaults. */
  public LoadBalancedClientOptions() {
  }

  /** A copy of other options. */
  public LoadBalancedClientOptions(LoadBalancedClientOptions other) {
    Checks.notNull("other", other);
    this.webClientOptions = new WebClientOptions(other.webClientOptions);
    this.poolOptions = new PoolOptions(other.poolOptions);
    this.maxAttempts = other.maxAttempts;
    this.retryBudgetRatio = other.retryBudgetRatio;
    this.retryBudgetMinPerSecond = other.retryBudgetMinPerSecond;
    this.requestTimeoutMs = other.requestTimeoutMs;
    this.connectTimeoutMs = other.connectTimeoutMs;
    this.retryBackoffMs = other.retryBackoffMs;
    this.localZone = other.localZone;
    this.verifyTargetCertificates = other.verifyTargetCertificates;
  }

  /**
   * Options read from JSON: {@code maxAttempts}, {@code retryBudgetRatio}, {@code retryBudgetMinPerSecond},
   * {@code requestTimeoutMs}, {@code connectTimeoutMs}, {@code retryBackoffMs}, {@code localZone}, and the objects
   * {@code webClientOptions} and {@code poolOptions} in Vert.x's own JSON form. Absent fields keep their defaults;
   * each present one is validated as its setter does.
   */
  public LoadBalancedClientOptions(JsonObject json) {
    Checks.notNull("json", json);
    if (json.containsKey("webClientOptions")) {
      setWebClientOptions(new WebClientOptions(
          new WebClientOptions().toJson().mergeIn(json.getJsonObject("webClientOptions"))));
    }
    if (json.containsKey("poolOptions")) {
      setPoolOptions(new PoolOptions(new PoolOptions().toJson().mergeIn(json.getJsonObject("poolOptions"))));
    }
    if (json.containsKey("verifyTargetCertificates")) {
      setVerifyTargetCertificates(json.getBoolean("verifyTargetCertificates"));
    }
    if (json.containsKey("maxAttempts")) {
      setMaxAttempts(json.getInteger("maxAttempts"));
    }
    if (json.containsKey("retryBudgetRatio")) {
      setRetryBudgetRatio(json.getDouble("retryBudgetRatio"));
    }
    if (json.containsKey("retryBudgetMinPerSecond")) {
      setRetryBudgetMinPerSecond(json.getInteger("retryBudgetMinPerSecond"));
    }
    if (json.containsKey("requestTimeoutMs")) {
      setRequestTimeoutMs(json.getLong("requestTimeoutMs"));
    }
    if (json.containsKey("connectTimeoutMs")) {
      setConnectTimeoutMs(json.getInteger("connectTimeoutMs"));
    }
    if (json.containsKey("retryBackoffMs")) {
      setRetryBackoffMs(json.getLong("retryBackoffMs"));
    }
    if (json.containsKey("localZone")) {
      setLocalZone(json.getString("localZone"));
    }
  }

  /** These options as JSON, in the form {@link #LoadBalancedClientOptions(JsonObject)} reads. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("webClientOptions", webClientOptions.toJson())
        .put("poolOptions", poolOptions.toJson())
        .put("maxAttempts", maxAttempts)
        .put("retryBudgetRatio", retryBudgetRatio)
        .put("retryBudgetMinPerSecond", retryBudgetMinPerSecond)
        .put("requestTimeoutMs", requestTimeoutMs)
        .put("connectTimeoutMs", connectTimeoutMs)
        .put("retryBackoffMs", retryBackoffMs)
        .put("localZone", localZone)
        .put("verifyTargetCertificates", verifyTargetCertificates);
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

  /**
   * Whether the certificates of {@code HTTPS} target groups' targets are validated (default false: as ALB, any
   * certificate is accepted, since targets are addressed by IP). When true, the trust settings and host
   * verification of {@link #getWebClientOptions()} apply (the JVM's trust store unless they name one).
   */
  public boolean isVerifyTargetCertificates() {
    return verifyTargetCertificates;
  }

  /** Sets whether certificates of HTTPS targets are validated (default false). */
  public LoadBalancedClientOptions setVerifyTargetCertificates(boolean verify) {
    this.verifyTargetCertificates = verify;
    return this;
  }

  /** The connection pool options of the shared client (Vert.x's defaults unless set). */
  public PoolOptions getPoolOptions() {
    return poolOptions;
  }

  /** Sets the connection pool options of the shared client. */
  public LoadBalancedClientOptions setPoolOptions(PoolOptions options) {
    this.poolOptions = Checks.notNull("poolOptions", options);
    return this;
  }

  /** Maximum attempts per request, each on a different target (1-10, default 3). */
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

  /**
   * Per-attempt idle timeout in milliseconds: an attempt fails with a timeout when the target sends nothing for
   * this long (ALB's idle timeout; default 60000). Timed-out attempts are not retried.
   */
  public long getRequestTimeoutMs() {
    return requestTimeoutMs;
  }

  /** Sets the per-attempt idle timeout in milliseconds (1-3600000). */
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

  /** Wait before a retry in milliseconds (default 0: at once, on another target). */
  public long getRetryBackoffMs() {
    return retryBackoffMs;
  }

  /** Sets the wait before a retry in milliseconds (0-60000). */
  public LoadBalancedClientOptions setRetryBackoffMs(long backoffMs) {
    this.retryBackoffMs = Checks.range("retryBackoffMs", backoffMs, 0, 60_000);
    return this;
  }

  /**
   * The availability zone this client runs in, or {@code null} (the default) for none. Target groups with
   * {@code load_balancing.cross_zone.enabled} off send this client's requests to targets in this zone while it has
   * enough healthy ones (see {@link TargetGroupConfig#crossZoneEnabled()}).
   */
  public String getLocalZone() {
    return localZone;
  }

  /** Sets the client's availability zone ({@code null} for none; else a non-blank name). */
  public LoadBalancedClientOptions setLocalZone(String zone) {
    this.localZone = zone == null ? null : Checks.notBlank("localZone", zone);
    return this;
  }
}
