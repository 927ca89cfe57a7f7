package dev.loadstar.core.internal.client;

import dev.loadstar.core.LoadBalancedClient;
import dev.loadstar.core.LoadBalancedClientOptions;
import dev.loadstar.core.LoadBalancedRequest;
import dev.loadstar.core.LoadBalancedResponse;
import dev.loadstar.core.LoadBalancerException;
import dev.loadstar.core.LoadBalancerException.Kind;
import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.RequestRouter;
import dev.loadstar.core.SelectionContext;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.config.Checks;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The load-balanced client: one shared {@link WebClient}, one Resilience4j {@link Retry} whose async retries are
 * scheduled on Vert.x (see {@link VertxScheduler}), and a {@link RetryBudget} shared by every request.
 *
 * <p>Each request is an {@link Exchange}: Resilience4j calls its {@code attempt()} once per try; the exchange picks
 * the target (sticky cookie, session key or the group's selector for the first try, an untried target for a
 * retry), counts it in flight, sends, and turns the outcome into a response or an attempt failure that says
 * whether another target may be tried.
 */
public final class DefaultLoadBalancedClient implements LoadBalancedClient {

  private final Vertx vertx;
  private final HttpClientAgent httpClient;
  private final WebClient webClient;
  private final SentRequests sentRequests;
  private final int maxAttempts;
  private final long requestTimeoutMs;
  private final RetryBudget budget;
  private final VertxScheduler scheduler;
  private final Retry retry;
  private final ConcurrentHashMap<String, TargetGroup> groups = new ConcurrentHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Promise<Void> closed0 = Promise.promise();
  private final AtomicInteger retryOffset = new AtomicInteger();
  private volatile RequestRouter router;
  private final String localZone;
  private final SelectionContext zoneContext;

  /** A client over a new shared {@code WebClient}. */
  public DefaultLoadBalancedClient(Vertx vertx, LoadBalancedClientOptions options) {
    this.vertx = Checks.notNull("vertx", vertx);
    LoadBalancedClientOptions o = new LoadBalancedClientOptions(Checks.notNull("options", options));
    WebClientOptions wco = new WebClientOptions(o.getWebClientOptions());
    wco.setConnectTimeout(o.getConnectTimeoutMs());
    this.httpClient = vertx.httpClientBuilder().with(new HttpClientOptions(wco)).with(o.getPoolOptions()).build();
    this.webClient = WebClient.wrap(httpClient, wco);
    this.sentRequests = new SentRequests(webClient);
    this.maxAttempts = o.getMaxAttempts();
    this.requestTimeoutMs = o.getRequestTimeoutMs();
    this.budget = new RetryBudget(o.getRetryBudgetRatio(), o.getRetryBudgetMinPerSecond());
    this.localZone = o.getLocalZone();
    this.zoneContext = SelectionContext.inZone(localZone);
    this.scheduler = new VertxScheduler(vertx);
    long backoff = o.getRetryBackoffMs();
    this.retry = Retry.of("loadstar-client", RetryConfig.custom()
        .maxAttempts(maxAttempts)
        .intervalFunction(attempt -> backoff)
        .retryOnException(t -> t instanceof AttemptFailure && ((AttemptFailure) t).retryable)
        .failAfterMaxAttempts(false)
        .build());
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
    return new Exchange(this, method, groupName, requestUri, null);
  }

  @Override
  public LoadBalancedRequest requestAbs(HttpMethod method, String absoluteUrl) {
    Checks.notNull("method", method);
    Checks.notNull("absoluteUrl", absoluteUrl);
    return new Exchange(this, method, null, null, parseAbsolute(absoluteUrl));
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
      scheduler.shutdownNow(); // pending retries run now, see the client closed and fail with CLOSED
      httpClient.close().onComplete(closed0);
    }
    return closed0.future();
  }

  boolean isClosed() {
    return closed.get();
  }

  Vertx vertx() {
    return vertx;
  }

  WebClient webClient() {
    return webClient;
  }

  SentRequests sentRequests() {
    return sentRequests;
  }

  int maxAttempts() {
    return maxAttempts;
  }

  long requestTimeoutMs() {
    return requestTimeoutMs;
  }

  String localZone() {
    return localZone;
  }

  /** The selection context of requests without a hash key: the client's zone, if any. */
  SelectionContext zoneContext() {
    return zoneContext;
  }

  RetryBudget budget() {
    return budget;
  }

  int nextRetryOffset() {
    return retryOffset.getAndIncrement();
  }

  RequestRouter currentRouter() {
    return router;
  }

  TargetGroup group(String name) {
    return groups.get(name);
  }

  /** Runs the exchange's attempts through the retry and maps the end onto the caller's Vert.x context. */
  Future<LoadBalancedResponse> execute(Exchange exchange, String groupName) {
    Context ctx = Vertx.currentContext();
    if (ctx == null) {
      ctx = vertx.getOrCreateContext();
    }
    budget.onRequest();
    exchange.context(ctx);
    return Future.fromCompletionStage(retry.executeCompletionStage(scheduler, exchange::attempt), ctx)
        .recover(err -> Future.failedFuture(toBalancerException(err, groupName, exchange)));
  }

  private Throwable toBalancerException(Throwable err, String groupName, Exchange exchange) {
    Throwable e = err;
    while (e instanceof CompletionException && e.getCause() != null) {
      e = e.getCause();
    }
    if (e instanceof LoadBalancerException) {
      return e;
    }
    int attempts = exchange.attemptsSent();
    if (closed.get() && !(e instanceof AttemptFailure)) {
      return new LoadBalancerException(groupName, Kind.CLOSED, attempts, "the client is closed", e);
    }
    if (e instanceof AttemptFailure) {
      AttemptFailure af = (AttemptFailure) e;
      String why = af.retryable
          ? "all " + attempts + " attempt(s) failed; last on " + af.target.target().id() + ": " + af.getCause()
          : "attempt " + attempts + " on " + af.target.target().id() + " failed and is not retried ("
              + af.reason + "): " + af.getCause();
      return new LoadBalancerException(groupName, Kind.ALL_ATTEMPTS_FAILED, attempts, why, af.getCause());
    }
    return new LoadBalancerException(groupName, Kind.ALL_ATTEMPTS_FAILED, attempts,
        "request failed: " + e, e);
  }

  /** One failed attempt, as Resilience4j sees it: whether another target may be tried, and why not. */
  static final class AttemptFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient RegisteredTarget target;
    final boolean retryable;
    final String reason;

    AttemptFailure(Throwable cause, RegisteredTarget target, boolean retryable, String reason) {
      super(cause.toString(), cause, false, false);
      this.target = target;
      this.retryable = retryable;
      this.reason = reason;
    }
  }
}
