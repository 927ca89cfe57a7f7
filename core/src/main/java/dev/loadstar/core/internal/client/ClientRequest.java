package dev.loadstar.core.internal.client;

import dev.loadstar.core.Cookies;
import dev.loadstar.core.DeregistrationDelayElapsedException;
import dev.loadstar.core.Exchange;
import dev.loadstar.core.FailureKind;
import dev.loadstar.core.FunctionRequest;
import dev.loadstar.core.FunctionResponse;
import dev.loadstar.core.LoadBalancedRequest;
import dev.loadstar.core.LoadBalancedResponse;
import dev.loadstar.core.LoadBalancerException;
import dev.loadstar.core.LoadBalancerException.Kind;
import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.RequestRouter;
import dev.loadstar.core.Stickiness;
import dev.loadstar.core.TargetFunction;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.core.TraceContext;
import dev.loadstar.core.config.Checks;
import dev.loadstar.core.internal.client.DefaultLoadBalancedClient.RoutedUrl;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.client.HttpResponse;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;

/**
 * One request of the client: its settings, then its attempts through core's {@link Exchange}. Everything after
 * {@code send} runs on the caller's Vert.x context, one attempt after another.
 */
final class ClientRequest implements LoadBalancedRequest {

  private final DefaultLoadBalancedClient client;
  private final HttpMethod method;
  private final RoutedUrl routed;
  private static final VarHandle SENT;

  static {
    try {
      SENT = MethodHandles.lookup().findVarHandle(ClientRequest.class, "sent", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** The request's headers, made on first use (most requests add none). */
  private MultiMap headers;
  private volatile boolean sent;
  private String groupName;
  private final String requestUri;
  private Boolean idempotent;
  private String sessionKey;
  private String stickyCookie;
  private String hashKey;
  private long timeoutMs;

  private Context context;
  private TargetGroup group;
  private Exchange exchange;
  private Buffer body;
  private Promise<LoadBalancedResponse> result;
  /** The current attempt's request to the target, for a reset when its deregistration delay elapses. */
  private HttpClientRequest current;
  private Throwable lastCause;
  /** Whether the request belongs to an app_cookie session (it carried the app's or the balancer's cookie). */
  private boolean appSession;

  ClientRequest(DefaultLoadBalancedClient client, HttpMethod method, String groupName, String requestUri,
      RoutedUrl routed) {
    this.client = client;
    this.method = method;
    this.groupName = groupName;
    this.requestUri = routed != null ? routed.requestUri() : requestUri;
    this.routed = routed;
    this.timeoutMs = client.requestTimeoutMs();
  }

  @Override
  public LoadBalancedRequest putHeader(String name, String value) {
    headers().add(Checks.notNull("name", name), Checks.notNull("value", value));
    return this;
  }

  @Override
  public MultiMap headers() {
    MultiMap h = headers;
    if (h == null) {
      h = headers = MultiMap.caseInsensitiveMultiMap();
    }
    return h;
  }

  /** The request's {@code Cookie} header values (none without headers). */
  private List<String> cookieHeaders() {
    return headers == null ? List.of() : headers.getAll(HttpHeaders.COOKIE);
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
    this.hashKey = key;
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
    if (!SENT.compareAndSet(this, false, true)) {
      return Future.failedFuture(new IllegalStateException("request: already sent (expected: one send per request)"));
    }
    if (client.isClosed()) {
      return Future.failedFuture(new LoadBalancerException(groupName, Kind.CLOSED, 0, "the client is closed", null));
    }
    if (routed != null) {
      LoadBalancerException e = route();
      if (e != null) {
        return Future.failedFuture(e);
      }
    }
    group = client.group(groupName);
    if (group == null) {
      return Future.failedFuture(new LoadBalancerException(groupName, Kind.UNKNOWN_GROUP, 0,
          "no target group with this name is added to the client", null));
    }
    this.body = body;
    this.context = client.callerContext();
    this.result = Promise.promise();
    if (io.vertx.core.Vertx.currentContext() == context) {
      begin();
    } else {
      context.runOnContext(v -> begin());
    }
    return result.future();
  }

  private LoadBalancerException route() {
    RequestRouter router = client.currentRouter();
    if (router == null) {
      return new LoadBalancerException(null, Kind.NO_ROUTE, 0, "no request router is set for " + method + " "
          + routed.url(), null);
    }
    String name;
    try {
      name = router.route(method, routed.host(), routed.port(), routed.path(), routed.query(), headers());
    } catch (RuntimeException e) {
      return new LoadBalancerException(null, Kind.NO_ROUTE, 0, "the request router failed for " + method + " "
          + routed.url() + ": " + e, e);
    }
    if (name == null) {
      return new LoadBalancerException(null, Kind.NO_ROUTE, 0, "no rule matches " + method + " " + routed.url(), null);
    }
    groupName = name;
    if (!headers().contains(HttpHeaders.HOST)) {
      headers().set(HttpHeaders.HOST, routed.authority());
    }
    return null;
  }

  /** Makes the exchange and sends the first attempt (on the caller's context). */
  private void begin() {
    exchange = client.engine().exchange(group, method);
    if (idempotent != null) {
      exchange.idempotent(idempotent);
    }
    if (hashKey != null) {
      exchange.hashKey(hashKey);
    } else if (group.config().algorithm().usesHashKey()) {
      int q = requestUri.indexOf('?');
      exchange.hashKey(group.config().hashKey().valueIn(headers(), q < 0 ? null : requestUri.substring(q + 1), null));
    }
    Stickiness stickiness = group.config().stickiness();
    if (stickiness.enabled()) {
      String cookie = stickyCookie != null ? stickyCookie
          : Cookies.get(cookieHeaders(), group.stickySessions().cookieName());
      if (stickiness.type() == Stickiness.Type.APP_COOKIE) {
        appSession = cookie != null
            || Cookies.get(cookieHeaders(), stickiness.appCookieName()) != null;
      }
      exchange.stickyCookie(cookie);
    }
    exchange.sessionKey(sessionKey);
    exchange.onDrainTimeout(() -> context.runOnContext(v -> {
      HttpClientRequest r = current;
      if (r != null) {
        r.reset(); // its failure then classifies as DEREGISTERED: not retried
      }
    }));
    attempt();
  }

  /** Starts the next attempt, or fails the request with the reason there is none. */
  private void attempt() {
    if (client.isClosed()) {
      fail(Kind.CLOSED, "the client is closed");
      return;
    }
    Exchange.Step step = exchange.start();
    switch (step) {
      case ATTEMPT:
        break;
      case NO_TARGET:
        fail(Kind.NO_TARGETS, "no target available (" + group.targets().size()
            + " registered, none can take requests)");
        return;
      case RETRY_BUDGET_EXHAUSTED:
        fail(Kind.RETRY_BUDGET_EXHAUSTED, "retry budget exhausted; not retrying after " + exchange.attempt()
            + " failed attempt(s): " + lastCause);
        return;
      case NOT_RETRYABLE:
        fail(Kind.ALL_ATTEMPTS_FAILED, "attempt " + exchange.attempt() + " on " + exchange.target().target().id()
            + " failed and is not retried (" + whyNotRetried() + "): " + lastCause);
        return;
      case NO_UNTRIED_TARGET:
        fail(Kind.ALL_ATTEMPTS_FAILED, exchange.attempt()
            + " attempt(s) failed and no other target is available; last: " + lastCause);
        return;
      default:
        fail(Kind.ALL_ATTEMPTS_FAILED, "all " + exchange.attempt() + " attempt(s) failed; last on "
            + exchange.target().target().id() + ": " + lastCause);
        return;
    }
    TargetFunction fn = exchange.function();
    if (fn != null) {
      call(fn);
    } else {
      sendHttp();
    }
  }

  private String whyNotRetried() {
    FailureKind k = exchange.lastFailure();
    boolean function = exchange.server().target().function() != null;
    if (k == FailureKind.TIMEOUT) {
      return function ? "the function timed out and may have processed it"
          : "the target timed out and may have processed it";
    }
    if (k == FailureKind.DEREGISTERED) {
      return "the target left the group when its deregistration delay elapsed with the request in flight";
    }
    if (k.connectionLost() && !exchange.isIdempotent()) {
      return method + (function ? " is not idempotent and the function may have processed it"
          : " is not idempotent and the request may have reached the target");
    }
    return "not a connection failure";
  }

  private void sendHttp() {
    RequestOptions o;
    try {
      // a listener sets (not adds) what it injects: the headers are the request's, reused by every attempt
      if (exchange.observed()) {
        exchange.beforeSend(headers());
      }
      // W3C trace context: the caller's (or a tracing listener's) traceparent is sent; without one, a trace starts
      TraceContext.ensure(headers(), null);
      o = new RequestOptions().setMethod(method).setHost(exchange.host()).setPort(exchange.port())
          .setURI(requestUri).setHeaders(headers).setIdleTimeout(timeoutMs).setFollowRedirects(false);
      if (group.config().protocol() == TargetGroupConfig.Protocol.HTTPS) {
        o.setSsl(true);
      }
      client.defaultHeaders(o);
    } catch (RuntimeException e) {
      exchange.cancelled();
      exchange.finish(0);
      result.tryFail(new LoadBalancerException(groupName, Kind.ALL_ATTEMPTS_FAILED, exchange.attempt(),
          "the request could not be built: " + e, e));
      return;
    }
    client.httpClient().request(o).onComplete(connected -> {
      if (connected.failed()) {
        // no connection (or pooled stream) was had: nothing was sent
        failedAttempt(connected.cause(), exchange.classify(connected.cause(), false));
        return;
      }
      HttpClientRequest req = connected.result();
      current = req;
      (body == null ? req.send() : req.send(body))
          .compose(resp -> resp.body().map(b -> BufferedHttpResponse.of(resp, b)))
          .onComplete(ar -> {
            current = null;
            if (ar.succeeded()) {
              HttpResponse<Buffer> resp = ar.result();
              exchange.succeeded(resp.statusCode());
              respond(resp);
              return;
            }
            failedAttempt(ar.cause(), exchange.classify(ar.cause(), true));
          });
    });
  }

  /**
   * An attempt on a function target: the handler is called in process on the caller's context with the attempt's
   * timeout; a throw or failed future is a lost connection (retried elsewhere when the request is idempotent), a
   * missed deadline a timeout (not retried).
   */
  private void call(TargetFunction fn) {
    FunctionRequest request = new FunctionRequest(method, requestUri,
        headers == null ? MultiMap.caseInsensitiveMultiMap() : MultiMap.caseInsensitiveMultiMap().addAll(headers),
        body == null ? null : body.copy());
    fn.call(client.vertx(), context, exchange.server().target().id(), request, timeoutMs).onComplete(ar -> {
      if (ar.succeeded()) {
        FunctionResponse resp = ar.result();
        exchange.succeeded(resp.statusCode());
        respond(BufferedHttpResponse.of(resp));
        return;
      }
      failedAttempt(ar.cause(), exchange.classify(ar.cause(), true));
    });
  }

  private void failedAttempt(Throwable cause, FailureKind kind) {
    lastCause = kind == FailureKind.DEREGISTERED
        ? new DeregistrationDelayElapsedException(group.name(), exchange.target().target().id()) : cause;
    if (exchange.failed(kind) && client.retryBackoffMs() > 0) {
      client.retryLater(client.retryBackoffMs(), context, this::attempt);
    } else {
      attempt();
    }
  }

  private void respond(HttpResponse<Buffer> resp) {
    RegisteredTarget served = exchange.target();
    LoadBalancedResponse out;
    try {
      Stickiness stickiness = group.config().stickiness();
      String name = null;
      String value = null;
      if (stickiness.type() == Stickiness.Type.LB_COOKIE) {
        name = Stickiness.LB_COOKIE_NAME;
        value = group.stickySessions().issue(served);
      } else if (stickiness.type() == Stickiness.Type.APP_COOKIE
          && (appSession || Cookies.setsCookie(resp.headers().getAll(HttpHeaders.SET_COOKIE),
              stickiness.appCookieName()))) {
        name = Stickiness.APP_COOKIE_NAME;
        value = group.stickySessions().issue(served);
      }
      out = new LoadBalancedResponse(resp, served.target(), exchange.attempt(), name, value);
    } catch (RuntimeException e) {
      exchange.finish(0);
      result.tryFail(e);
      return;
    }
    exchange.finish(resp.statusCode());
    result.tryComplete(out);
  }

  private void fail(Kind kind, String message) {
    exchange.finish(0);
    result.tryFail(new LoadBalancerException(groupName, kind, exchange.attempt(), message, lastCause));
  }
}
