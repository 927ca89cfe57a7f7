package dev.loadstar.core.internal.client;

import dev.loadstar.core.DeregistrationDelayElapsedException;
import dev.loadstar.core.LoadBalancedRequest;
import dev.loadstar.core.LoadBalancedResponse;
import dev.loadstar.core.LoadBalancerException;
import dev.loadstar.core.LoadBalancerException.Kind;
import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.RequestOutcome;
import dev.loadstar.core.RequestRouter;
import dev.loadstar.core.SelectionContext;
import dev.loadstar.core.Stickiness;
import dev.loadstar.core.StickySessions;
import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.core.FunctionRequest;
import dev.loadstar.core.FunctionResponse;
import dev.loadstar.core.TargetFunction;
import dev.loadstar.core.config.Checks;
import dev.loadstar.core.FailureKind;
import dev.loadstar.core.internal.TargetRoute;
import dev.loadstar.core.internal.client.DefaultLoadBalancedClient.AttemptFailure;
import dev.loadstar.core.internal.client.DefaultLoadBalancedClient.RoutedUrl;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import java.net.ConnectException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One request and its attempts. Attempts run one after another (the retry starts the next only after the previous
 * failed), so the per-attempt fields need no synchronization beyond the happens-before edges of the futures.
 */
final class Exchange implements LoadBalancedRequest {

  /** How many times a selection is retried when the selected target left the group before the request started. */
  static final int MAX_START_TRIES = 16;

  private final DefaultLoadBalancedClient client;
  private final HttpMethod method;
  private final RoutedUrl routed;
  private final MultiMap headers = MultiMap.caseInsensitiveMultiMap();
  private final AtomicBoolean sent = new AtomicBoolean();
  private String groupName;
  private String requestUri;
  private boolean idempotent;
  private String sessionKey;
  private String stickyCookie;
  private SelectionContext selection;
  private long timeoutMs;
  /** The caller's context: function targets are called on it. */
  private Context context;

  // per attempt
  private TargetGroup group;
  private Buffer body;
  private int attempts;
  private RegisteredTarget[] tried;
  private Throwable lastFailure;
  /** Whether the request belongs to an app_cookie session (it carried the app's or the balancer's cookie). */
  private boolean appSession;

  Exchange(DefaultLoadBalancedClient client, HttpMethod method, String groupName, String requestUri,
      RoutedUrl routed) {
    this.client = client;
    this.method = method;
    this.groupName = groupName;
    this.requestUri = routed != null ? routed.requestUri() : requestUri;
    this.routed = routed;
    this.idempotent = idempotentByDefault(method);
    this.timeoutMs = client.requestTimeoutMs();
    this.selection = client.zoneContext();
  }

  void context(Context context) {
    this.context = context;
  }

  static boolean idempotentByDefault(HttpMethod m) {
    return m == HttpMethod.GET || m == HttpMethod.HEAD || m == HttpMethod.OPTIONS || m == HttpMethod.PUT
        || m == HttpMethod.DELETE;
  }

  @Override
  public LoadBalancedRequest putHeader(String name, String value) {
    headers.add(Checks.notNull("name", name), Checks.notNull("value", value));
    return this;
  }

  @Override
  public MultiMap headers() {
    return headers;
  }

  @Override
  public LoadBalancedRequest idempotent(boolean idempotent) {
    this.idempotent = idempotent;
    return this;
  }

  @Override
  public LoadBalancedRequest sessionKey(String sessionKey) {
    this.sessionKey = sessionKey;
    return this;
  }

  @Override
  public LoadBalancedRequest stickyCookie(String cookieValue) {
    this.stickyCookie = cookieValue;
    return this;
  }

  @Override
  public LoadBalancedRequest hashKey(String key) {
    this.selection = key == null ? client.zoneContext() : SelectionContext.ofKey(key).withZone(client.localZone());
    return this;
  }

  @Override
  public LoadBalancedRequest timeout(long timeoutMs) {
    this.timeoutMs = Checks.range("timeoutMs", timeoutMs, 1, 3_600_000);
    return this;
  }

  @Override
  public Future<LoadBalancedResponse> send() {
    return send(null);
  }

  @Override
  public Future<LoadBalancedResponse> send(Buffer body) {
    if (!sent.compareAndSet(false, true)) {
      return Future.failedFuture(new IllegalStateException("request: already sent (expected: one send per request)"));
    }
    if (client.isClosed()) {
      return Future.failedFuture(new LoadBalancerException(groupName, Kind.CLOSED, 0, "the client is closed", null));
    }
    if (routed != null) {
      RequestRouter router = client.currentRouter();
      if (router == null) {
        return Future.failedFuture(new LoadBalancerException(null, Kind.NO_ROUTE, 0,
            "no request router is set for " + method + " " + routed.url(), null));
      }
      String name;
      try {
        name = router.route(method, routed.host(), routed.port(), routed.path(), routed.query(), headers);
      } catch (RuntimeException e) {
        return Future.failedFuture(new LoadBalancerException(null, Kind.NO_ROUTE, 0,
            "the request router failed for " + method + " " + routed.url() + ": " + e, e));
      }
      if (name == null) {
        return Future.failedFuture(new LoadBalancerException(null, Kind.NO_ROUTE, 0,
            "no rule matches " + method + " " + routed.url(), null));
      }
      groupName = name;
      if (!headers.contains(HttpHeaders.HOST)) {
        headers.set(HttpHeaders.HOST, routed.authority());
      }
    }
    group = client.group(groupName);
    if (group == null) {
      return Future.failedFuture(new LoadBalancerException(groupName, Kind.UNKNOWN_GROUP, 0,
          "no target group with this name is added to the client", null));
    }
    this.body = body;
    this.tried = new RegisteredTarget[client.maxAttempts()];
    return client.execute(this, groupName);
  }

  int attemptsSent() {
    return attempts;
  }

  /** One attempt: called by the retry for the first try and for each retry. */
  CompletionStage<LoadBalancedResponse> attempt() {
    int n = attempts + 1;
    if (client.isClosed()) {
      return CompletableFuture.failedFuture(
          new LoadBalancerException(groupName, Kind.CLOSED, attempts, "the client is closed", lastFailure));
    }
    RegisteredTarget target;
    if (n == 1) {
      target = firstTarget();
      if (target == null) {
        return CompletableFuture.failedFuture(new LoadBalancerException(groupName, Kind.NO_TARGETS, 0,
            "no target available (" + group.targets().size() + " registered, none can take requests)", null));
      }
    } else {
      RegisteredTarget candidate = untriedTarget();
      if (candidate == null) {
        return CompletableFuture.failedFuture(new LoadBalancerException(groupName, Kind.ALL_ATTEMPTS_FAILED,
            attempts, attempts + " attempt(s) failed and no other target is available; last: " + lastFailure,
            lastFailure));
      }
      if (!client.budget().tryRetry()) {
        return CompletableFuture.failedFuture(new LoadBalancerException(groupName, Kind.RETRY_BUDGET_EXHAUSTED,
            attempts, "retry budget exhausted; not retrying after " + attempts + " failed attempt(s): "
                + lastFailure, lastFailure));
      }
      target = startUntried(candidate);
      if (target == null) {
        return CompletableFuture.failedFuture(new LoadBalancerException(groupName, Kind.ALL_ATTEMPTS_FAILED,
            attempts, attempts + " attempt(s) failed and no other target is available; last: " + lastFailure,
            lastFailure));
      }
    }
    attempts = n;
    tried[n - 1] = target;
    return send(target, n);
  }

  /** The first attempt's target, already counted in flight, or null when the group has none to offer. */
  private RegisteredTarget firstTarget() {
    TargetGroupConfig config = group.config();
    Stickiness stickiness = config.stickiness();
    StickySessions sessions = group.stickySessions();
    if (stickiness.enabled()) {
      String cookie = stickyCookie != null ? stickyCookie : cookieFromHeaders(sessions.cookieName());
      if (stickiness.type() == Stickiness.Type.APP_COOKIE) {
        appSession = cookie != null || cookieFromHeaders(stickiness.appCookieName()) != null;
      }
      if (cookie != null) {
        RegisteredTarget t = sessions.resolve(cookie, selection);
        if (t != null && t.tryStartRequest()) {
          return t;
        }
      }
    }
    for (int i = 0; i < MAX_START_TRIES; i++) {
      RegisteredTarget t = sessionKey != null ? sessions.selectForSession(sessionKey, selection)
          : group.select(selection);
      if (t == null) {
        return null;
      }
      if (t.tryStartRequest()) {
        return t;
      }
    }
    return null;
  }

  /**
   * A target not tried yet that may take a request now, or null: the one with the fewest requests in flight, ties
   * broken by a rotating offset; a weight-0 target only when every routable target has weight 0. The group's selector is not asked, so a retry does not shift the sequence of a
   * stateful algorithm (with round robin, asking it would send every first attempt to the failing target).
   */
  private RegisteredTarget untriedTarget() {
    List<RegisteredTarget> all = group.targets();
    int n = all.size();
    if (n == 0) {
      return null;
    }
    int offset = client.nextRetryOffset();
    RegisteredTarget best = null;
    RegisteredTarget bestWeightless = null;
    boolean anyWeighted = false;
    for (int k = 0; k < n; k++) {
      RegisteredTarget t = all.get(Math.floorMod(offset + k, n));
      if (group.routableTarget(t.target().id(), selection) != t) {
        continue;
      }
      boolean weighted = t.target().weight() > 0;
      anyWeighted |= weighted;
      if (wasTried(t)) {
        continue;
      }
      if (weighted) {
        if (best == null || t.inFlight() < best.inFlight()) {
          best = t;
        }
      } else if (bestWeightless == null || t.inFlight() < bestWeightless.inFlight()) {
        bestWeightless = t;
      }
    }
    // weight 0 takes no new requests, retries included, unless every routable target has weight 0
    return anyWeighted ? best : bestWeightless;
  }

  /** Starts the request on the candidate or, if it left meanwhile, on another untried target. */
  private RegisteredTarget startUntried(RegisteredTarget candidate) {
    RegisteredTarget t = candidate;
    for (int i = 0; t != null && i < MAX_START_TRIES; i++) {
      if (t.tryStartRequest()) {
        return t;
      }
      t = untriedTarget();
    }
    return null;
  }

  private boolean wasTried(RegisteredTarget t) {
    for (int i = 0; i < attempts; i++) {
      if (tried[i] == t) {
        return true;
      }
    }
    return false;
  }

  private CompletionStage<LoadBalancedResponse> send(RegisteredTarget chosen, int n) {
    CompletableFuture<LoadBalancedResponse> result = new CompletableFuture<>();
    TargetRoute route = TargetRoute.of(chosen);
    if (!route.descend(selection) || (route.function() == null && route.host() == null)) {
      // nothing was sent: a nested group had no target, or a nested listener is not listening
      route.end(RequestOutcome.CONNECT_FAILURE, 0);
      ConnectException cause = new ConnectException(route.last().target().address() + " (reached through "
          + chosen.target().id() + ") cannot take the request now");
      lastFailure = cause;
      result.completeExceptionally(new AttemptFailure(cause, chosen, true, null));
      return result;
    }
    if (route.function() != null) {
      return call(route, route.function(), n, result);
    }
    long start = System.nanoTime();
    Future<HttpResponse<Buffer>> f;
    SentRequests.Sent sent = null;
    try {
      HttpRequest<Buffer> req = client.webClient().request(method, route.port(), route.host(), requestUri)
          .putHeaders(headers)
          .idleTimeout(timeoutMs)
          .followRedirects(false);
      if (group.config().protocol() == TargetGroupConfig.Protocol.HTTPS) {
        req.ssl(true);
      }
      sent = client.sentRequests().track(req);
      f = body == null ? req.send() : req.sendBuffer(body);
    } catch (RuntimeException e) {
      if (sent != null) {
        sent.done();
      }
      route.end(RequestOutcome.CANCELLED, 0);
      result.completeExceptionally(new AttemptFailure(e, chosen, false, "the request could not be built"));
      return result;
    }
    // the attempt ends once: with the response or failure, or when the target's deregistration delay elapses first
    AtomicBoolean ended = new AtomicBoolean();
    SentRequests.Sent tracked = sent;
    Context ctx = context;
    Runnable unregister = chosen.onDrainTimeout(() -> {
      Runnable cut = () -> {
        if (!ended.compareAndSet(false, true)) {
          return;
        }
        tracked.abort();
        route.end(RequestOutcome.RESET, System.nanoTime() - start);
        DeregistrationDelayElapsedException cause =
            new DeregistrationDelayElapsedException(group.name(), chosen.target().id());
        lastFailure = cause;
        // not retried: the request was in flight for the whole delay, the target may have processed it
        result.completeExceptionally(new AttemptFailure(cause, chosen, false,
            "the target left the group when its deregistration delay elapsed with the request in flight"));
      };
      if (ctx != null) {
        ctx.runOnContext(v -> cut.run());
      } else {
        cut.run();
      }
    });
    f.onComplete(ar -> {
      unregister.run();
      tracked.done();
      if (!ended.compareAndSet(false, true)) {
        return;
      }
      long latency = System.nanoTime() - start;
      if (ar.succeeded()) {
        HttpResponse<Buffer> resp = ar.result();
        route.end(resp.statusCode() >= 500 ? RequestOutcome.TARGET_5XX : RequestOutcome.SUCCESS, latency);
        LoadBalancedResponse out;
        try {
          out = response(chosen, resp, n);
        } catch (RuntimeException e) {
          result.completeExceptionally(e);
          return;
        }
        result.complete(out);
      } else {
        Throwable cause = ar.cause();
        RequestOutcome outcome = Failures.classify(cause);
        route.end(outcome, latency);
        lastFailure = cause;
        boolean retryable = Failures.retryable(outcome, cause, idempotent);
        String reason = retryable ? null
            : outcome == RequestOutcome.TIMEOUT ? "the target timed out and may have processed it"
            : !idempotent && outcome == RequestOutcome.RESET
                ? method + " is not idempotent and the request may have reached the target"
                : "not a connection failure";
        result.completeExceptionally(new AttemptFailure(cause, chosen, retryable, reason));
      }
    });
    return result;
  }

  /**
   * An attempt on a function target: the handler is called in process on the caller's context with the attempt's
   * timeout; a throw or failed future is a reset connection (retried on another target when the request is
   * idempotent), a missed deadline a timeout (not retried).
   */
  private CompletionStage<LoadBalancedResponse> call(TargetRoute route, TargetFunction fn, int n,
      CompletableFuture<LoadBalancedResponse> result) {
    RegisteredTarget chosen = route.first();
    FunctionRequest request = new FunctionRequest(method, requestUri,
        MultiMap.caseInsensitiveMultiMap().addAll(headers), body == null ? null : body.copy());
    long start = System.nanoTime();
    fn.call(client.vertx(), context, route.last().target().id(), request, timeoutMs)
        .onComplete(ar -> {
          long latency = System.nanoTime() - start;
          if (ar.succeeded()) {
            FunctionResponse resp = ar.result();
            route.end(resp.statusCode() >= 500 ? RequestOutcome.TARGET_5XX : RequestOutcome.SUCCESS, latency);
            try {
              result.complete(response(chosen, new FunctionHttpResponse(resp), n));
            } catch (RuntimeException e) {
              result.completeExceptionally(e);
            }
            return;
          }
          Throwable cause = ar.cause();
          RequestOutcome outcome = FailureKind.classify(cause, true).outcome();
          route.end(outcome, latency);
          lastFailure = cause;
          boolean retryable = outcome == RequestOutcome.RESET && idempotent;
          String reason = retryable ? null : outcome == RequestOutcome.TIMEOUT
              ? "the function timed out and may have processed it"
              : method + " is not idempotent and the function may have processed it";
          result.completeExceptionally(new AttemptFailure(cause, chosen, retryable, reason));
        });
    return result;
  }

  private LoadBalancedResponse response(RegisteredTarget served, HttpResponse<Buffer> resp, int n) {
    Stickiness stickiness = group.config().stickiness();
    String name = null;
    String value = null;
    if (stickiness.type() == Stickiness.Type.LB_COOKIE) {
      name = Stickiness.LB_COOKIE_NAME;
      value = group.stickySessions().issue(served);
    } else if (stickiness.type() == Stickiness.Type.APP_COOKIE
        && (appSession || setsCookie(resp, stickiness.appCookieName()))) {
      name = Stickiness.APP_COOKIE_NAME;
      value = group.stickySessions().issue(served);
    }
    return new LoadBalancedResponse(resp, served.target(), n, name, value);
  }

  /** Whether the response sets the named cookie (with a value). */
  static boolean setsCookie(HttpResponse<Buffer> resp, String cookieName) {
    for (String h : resp.headers().getAll(HttpHeaders.SET_COOKIE)) {
      String v = h.stripLeading();
      if (v.length() > cookieName.length() && v.startsWith(cookieName) && v.charAt(cookieName.length()) == '=') {
        return true;
      }
    }
    return false;
  }

  /** The value of the named cookie in the request's {@code Cookie} headers, or null. */
  private String cookieFromHeaders(String cookieName) {
    for (String h : headers.getAll(HttpHeaders.COOKIE)) {
      String v = cookieValue(h, cookieName);
      if (v != null) {
        return v;
      }
    }
    return null;
  }

  /** The value of {@code name} in one {@code Cookie} header ({@code a=1; b=2}), unquoted, or null. */
  static String cookieValue(String header, String name) {
    int i = 0;
    int len = header.length();
    while (i < len) {
      int end = header.indexOf(';', i);
      if (end < 0) {
        end = len;
      }
      int eq = header.indexOf('=', i);
      if (eq > i && eq < end && header.substring(i, eq).trim().equals(name)) {
        String v = header.substring(eq + 1, end).trim();
        if (v.length() >= 2 && v.charAt(0) == '"' && v.charAt(v.length() - 1) == '"') {
          v = v.substring(1, v.length() - 1);
        }
        return v.isEmpty() ? null : v;
      }
      i = end + 1;
    }
    return null;
  }
}
