package dev.loadstar.core.internal.client;

import dev.loadstar.core.AttemptEngine;
import dev.loadstar.core.ExchangeListener;
import dev.loadstar.core.LoadBalancedClient;
import dev.loadstar.core.LoadBalancedClientOptions;
import dev.loadstar.core.LoadBalancedRequest;
import dev.loadstar.core.RequestRouter;
import dev.loadstar.core.RetryPolicy;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.config.Checks;
import dev.loadstar.core.time.TimeSource;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The load-balanced client: one shared Vert.x {@code HttpClient} (configured by the options' {@code WebClientOptions})
 * and one {@link AttemptEngine} (the retry policy and budget
 * shared by every request). Each request is a {@link ClientRequest} driving a core {@code Exchange}: the exchange
 * picks the target of each attempt and decides retries; the request sends and classifies.
 */
public final class DefaultLoadBalancedClient implements LoadBalancedClient {

  private final Vertx vertx;
  private final HttpClientAgent httpClient;
  /** {@code User-Agent} sent when the request has none ({@code WebClientOptions}' user agent), or null. */
  private final String userAgent;
  private final long requestTimeoutMs;
  private final long retryBackoffMs;
  private final TimeSource time;
  private final AttemptEngine engine;
  private final ConcurrentHashMap<String, TargetGroup> groups = new ConcurrentHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Promise<Void> closed0 = Promise.promise();
  /** Retries waiting for their backoff (run at once, failing, when the client closes). */
  private final Map<Long, PendingRetry> pendingRetries = new ConcurrentHashMap<>();
  private final AtomicLong retryKeys = new AtomicLong();
  private volatile RequestRouter router;

  /** A client over a new shared HTTP client, reporting exchanges to the listeners {@code listeners} makes. */
  public DefaultLoadBalancedClient(Vertx vertx, LoadBalancedClientOptions options, ExchangeListener.Factory listeners,
      TimeSource time) {
    this.vertx = Checks.notNull("vertx", vertx);
    LoadBalancedClientOptions o = new LoadBalancedClientOptions(Checks.notNull("options", options));
    WebClientOptions wco = new WebClientOptions(o.getWebClientOptions());
    wco.setConnectTimeout(o.getConnectTimeoutMs());
    if (!o.isVerifyTargetCertificates()) {
      // HTTPS targets are not validated unless asked, as ALB (they are addressed by IP)
      wco.setTrustAll(true).setVerifyHost(false);
    }
    this.httpClient = vertx.httpClientBuilder().with(new HttpClientOptions(wco)).with(o.getPoolOptions()).build();
    this.userAgent = wco.isUserAgentEnabled() ? wco.getUserAgent() : null;
    this.requestTimeoutMs = o.getRequestTimeoutMs();
    this.retryBackoffMs = o.getRetryBackoffMs();
    this.time = Checks.notNull("time", time);
    this.engine = AttemptEngine.create(RetryPolicy.builder().maxAttempts(o.getMaxAttempts())
        .budgetRatio(o.getRetryBudgetRatio()).budgetMinPerSecond(o.getRetryBudgetMinPerSecond()).build(),
        time, Checks.notNull("listeners", listeners), o.getLocalZone());
  }

  @Override
  public LoadBalancedClient addTargetGroup(TargetGroup group) {
    Checks.notNull("group", group);
    groups.put(group.name(), group);
    return this;
  }

  @Override
  public TargetGroup removeTargetGroup(String name) {
    return groups.remove(Checks.notNull("name", name));
  }

  @Override
  public TargetGroup targetGroup(String name) {
    return groups.get(name);
  }

  @Override
  public LoadBalancedClient router(RequestRouter router) {
    this.router = router;
    return this;
  }

  @Override
  public LoadBalancedRequest request(HttpMethod method, String groupName, String requestUri) {
    Checks.notNull("method", method);
    Checks.notNull("groupName", groupName);
    Checks.notNull("requestUri", requestUri);
    return new ClientRequest(this, method, groupName, requestUri, null);
  }

  @Override
  public LoadBalancedRequest requestAbs(HttpMethod method, String absoluteUrl) {
    Checks.notNull("method", method);
    Checks.notNull("absoluteUrl", absoluteUrl);
    return new ClientRequest(this, method, null, null, parseAbsolute(absoluteUrl));
  }

  /** The parts of an absolute URL a router needs. */
  record RoutedUrl(String url, boolean https, String host, int port, String authority, String path, String query,
      String requestUri) {
  }

  static RoutedUrl parseAbsolute(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw Checks.invalid("absoluteUrl", url, "an absolute http or https URL");
    }
    String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!"http".equals(scheme) && !"https".equals(scheme) || uri.getHost() == null || uri.isOpaque()) {
      throw Checks.invalid("absoluteUrl", url, "an absolute http or https URL");
    }
    boolean https = "https".equals(scheme);
    int port = uri.getPort() != -1 ? uri.getPort() : https ? 443 : 80;
    String host = uri.getHost().toLowerCase(Locale.ROOT);
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    String query = uri.getRawQuery();
    String authority = uri.getRawAuthority();
    int at = authority.lastIndexOf('@');
    if (at >= 0) {
      authority = authority.substring(at + 1);
    }
    return new RoutedUrl(url, https, host, port, authority, path, query, query == null ? path : path + "?" + query);
  }

  @Override
  public Future<Void> close() {
    if (closed.compareAndSet(false, true)) {
      // retries waiting for their backoff run now, see the client closed and fail with CLOSED
      for (Long key : pendingRetries.keySet()) {
        PendingRetry pending = pendingRetries.remove(key);
        if (pending != null) {
          time.cancelTimer(pending.timer);
          pending.run.run();
        }
      }
      httpClient.close().onComplete(closed0);
    }
    return closed0.future();
  }

  @Override
  public AttemptEngine engine() {
    return engine;
  }

  boolean isClosed() {
    return closed.get();
  }

  Vertx vertx() {
    return vertx;
  }

  HttpClientAgent httpClient() {
    return httpClient;
  }

  /** Adds the {@code User-Agent} of the client's options when the request sets none. */
  void defaultHeaders(RequestOptions o) {
    if (userAgent != null && (o.getHeaders() == null || !o.getHeaders().contains(HttpHeaders.USER_AGENT))) {
      o.addHeader(HttpHeaders.USER_AGENT, userAgent);
    }
  }

  long requestTimeoutMs() {
    return requestTimeoutMs;
  }

  long retryBackoffMs() {
    return retryBackoffMs;
  }

  RequestRouter currentRouter() {
    return router;
  }

  TargetGroup group(String name) {
    return groups.get(name);
  }

  /** The caller's context, or one Vert.x picks for a caller that has none: a request's attempts all run on it. */
  Context callerContext() {
    Context ctx = Vertx.currentContext();
    return ctx != null ? ctx : vertx.getOrCreateContext();
  }

  /** Runs {@code retry} on {@code context} after {@code delayMs}, or at once when the client closes first. */
  void retryLater(long delayMs, Context context, Runnable retry) {
    long key = retryKeys.incrementAndGet();
    PendingRetry pending = new PendingRetry(() -> context.runOnContext(v -> retry.run()));
    pendingRetries.put(key, pending);
    pending.timer = time.setTimer(delayMs, () -> {
      if (pendingRetries.remove(key) != null) {
        pending.run.run();
      }
    });
    if (closed.get() && pendingRetries.remove(key) != null) {
      time.cancelTimer(pending.timer);
      pending.run.run();
    }
  }

  /** A retry waiting for its backoff: whoever removes it from {@link #pendingRetries} runs it. */
  private static final class PendingRetry {
    final Runnable run;
    volatile long timer;

    PendingRetry(Runnable run) {
      this.run = run;
    }
  }
}
