package dev.loadstar.core.internal.client;

import dev.loadstar.core.LoadBalancedClient;
import dev.loadstar.core.LoadBalancedClientOptions;
import dev.loadstar.core.LoadBalancedRequest;
import dev.loadstar.core.LoadBalancedResponse;
import dev.loadstar.core.LoadBalancerException;
import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.RequestOutcome;
import dev.loadstar.core.SelectionContext;
import dev.loadstar.core.TargetGroup;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The load-balanced client over one shared {@link WebClient}.
 */
public final class DefaultLoadBalancedClient implements LoadBalancedClient {

  private final Vertx vertx;
  private final WebClient webClient;
  private final int maxAttempts;
  private final long requestTimeoutMs;
  private final ConcurrentHashMap<String, TargetGroup> groups = new ConcurrentHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();

  /** A client over a new shared {@code WebClient}. */
  public DefaultLoadBalancedClient(Vertx vertx, LoadBalancedClientOptions options) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    WebClientOptions wco = new WebClientOptions(options.getWebClientOptions());
    wco.setConnectTimeout(options.getConnectTimeoutMs());
    this.webClient = WebClient.create(vertx, wco);
    this.maxAttempts = options.getMaxAttempts();
    this.requestTimeoutMs = options.getRequestTimeoutMs();
  }

  @Override
  public LoadBalancedClient addTargetGroup(TargetGroup group) {
    groups.put(group.name(), group);
    return this;
  }

  @Override
  public TargetGroup targetGroup(String name) {
    return groups.get(name);
  }

  @Override
  public LoadBalancedRequest request(HttpMethod method, String groupName, String requestUri) {
    return new Request(Objects.requireNonNull(method, "method"), Objects.requireNonNull(groupName, "groupName"),
        Objects.requireNonNull(requestUri, "requestUri"));
  }

  @Override
  public Future<Void> close() {
    if (closed.compareAndSet(false, true)) {
      webClient.close();
    }
    return Future.succeededFuture();
  }

  static boolean idempotentByDefault(HttpMethod m) {
    return m == HttpMethod.GET || m == HttpMethod.HEAD || m == HttpMethod.OPTIONS || m == HttpMethod.PUT
        || m == HttpMethod.DELETE;
  }

  private final class Request implements LoadBalancedRequest {
    private final HttpMethod method;
    private final String groupName;
    private final String uri;
    private final MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    private boolean idempotent;
    private String sessionKey;
    private String stickyCookie;
    private SelectionContext selection = SelectionContext.NONE;
    private long timeoutMs = requestTimeoutMs;

    Request(HttpMethod method, String groupName, String uri) {
      this.method = method;
      this.groupName = groupName;
      this.uri = uri;
      this.idempotent = idempotentByDefault(method);
    }

    @Override
    public LoadBalancedRequest putHeader(String name, String value) {
      headers.add(name, value);
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
      this.selection = SelectionContext.ofKey(key);
      return this;
    }

    @Override
    public LoadBalancedRequest timeout(long timeoutMs) {
      this.timeoutMs = timeoutMs;
      return this;
    }

    @Override
    public Future<LoadBalancedResponse> send() {
      return send(null);
    }

    @Override
    public Future<LoadBalancedResponse> send(Buffer body) {
      if (closed.get()) {
        return Future.failedFuture(new LoadBalancerException(groupName, LoadBalancerException.Kind.CLOSED, 0,
            "the client is closed", null));
      }
      TargetGroup group = groups.get(groupName);
      if (group == null) {
        return Future.failedFuture(new LoadBalancerException(groupName, LoadBalancerException.Kind.UNKNOWN_GROUP, 0,
            "no such target group", null));
      }
      Promise<LoadBalancedResponse> promise = Promise.promise();
      attempt(group, body, 1, null, null, promise);
      return promise.future();
    }

    private RegisteredTarget choose(TargetGroup group, RegisteredTarget avoid) {
      if (avoid == null) {
        if (stickyCookie != null && group.config().stickiness().enabled()) {
          RegisteredTarget t = group.stickySessions().resolve(stickyCookie);
          if (t != null) {
            return t;
          }
        }
        if (sessionKey != null) {
          return group.stickySessions().selectForSession(sessionKey, selection);
        }
        return group.select(selection);
      }
      // a retry: another target than the one that failed, when there is one
      RegisteredTarget t = group.select(selection);
      for (int i = 0; i < 4 && t == avoid; i++) {
        t = group.select(selection);
      }
      return t;
    }

    private void attempt(TargetGroup group, Buffer body, int attempt, RegisteredTarget previous, Throwable lastFailure,
        Promise<LoadBalancedResponse> promise) {
      RegisteredTarget target = choose(group, previous);
      int guard = 0;
      while (target != null && !target.tryStartRequest() && guard++ < 8) {
        target = choose(group, previous);
      }
      if (target == null || guard >= 8) {
        if (lastFailure != null) {
          promise.fail(new LoadBalancerException(groupName, LoadBalancerException.Kind.ALL_ATTEMPTS_FAILED,
              attempt - 1, "all " + (attempt - 1) + " attempt(s) failed: " + lastFailure, lastFailure));
        } else {
          promise.fail(new LoadBalancerException(groupName, LoadBalancerException.Kind.NO_TARGETS, 0,
              "no target available", null));
        }
        return;
      }
      RegisteredTarget chosen = target;
      HttpRequest<Buffer> req = webClient.request(method, chosen.target().port(), chosen.target().host(), uri)
          .putHeaders(headers).timeout(timeoutMs);
      long start = System.nanoTime();
      Future<HttpResponse<Buffer>> f = body == null ? req.send() : req.sendBuffer(body);
      f.onComplete(ar -> {
        long latency = System.nanoTime() - start;
        if (ar.succeeded()) {
          HttpResponse<Buffer> resp = ar.result();
          chosen.endRequest(resp.statusCode() >= 500 ? RequestOutcome.TARGET_5XX : RequestOutcome.SUCCESS, latency);
          String cookie = group.config().stickiness().enabled() ? group.stickySessions().issue(chosen) : null;
          promise.complete(new LoadBalancedResponse(resp, chosen.target(), attempt, cookie));
          return;
        }
        RequestOutcome outcome = Failures.classify(ar.cause());
        chosen.endRequest(outcome, latency);
        boolean retryable = outcome == RequestOutcome.CONNECT_FAILURE
            || (idempotent && (outcome == RequestOutcome.RESET));
        if (retryable && attempt < maxAttempts) {
          attempt(group, body, attempt + 1, chosen, ar.cause(), promise);
        } else {
          promise.fail(new LoadBalancerException(groupName, LoadBalancerException.Kind.ALL_ATTEMPTS_FAILED, attempt,
              "all " + attempt + " attempt(s) failed: " + ar.cause(), ar.cause()));
        }
      });
    }
  }
}
