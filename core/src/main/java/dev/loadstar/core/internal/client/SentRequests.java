package dev.loadstar.core.internal.client;

import io.vertx.core.Context;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.impl.ClientPhase;
import io.vertx.ext.web.client.impl.WebClientInternal;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The underlying {@link HttpClientRequest} of each request the client has sent and not finished: whether the
 * attempt got a connection (which decides how its failure is classified) and a way to reset it when its target's
 * deregistration delay elapses. {@code WebClient} has no public way to see either; an interceptor (vertx-web-client's
 * {@code WebClientInternal}, which {@code WebClient.wrap} returns) sees the {@code HttpClientRequest} when it is sent.
 *
 * <p>A request is sent, handed to the interceptor and finished on its caller's context. On an event loop that is
 * one thread, so requests tracked there are kept in that thread's own identity map (no shared map, no contention,
 * no allocation); requests tracked elsewhere (a worker context may run on several threads) in a shared map.
 */
final class SentRequests {

  /** Requests tracked on an event-loop thread, in that thread's map. */
  private final ThreadLocal<Map<HttpRequest<?>, Sent>> local = ThreadLocal.withInitial(IdentityHashMap::new);
  private final ConcurrentHashMap<HttpRequest<?>, Sent> shared = new ConcurrentHashMap<>();

  SentRequests(WebClient webClient) {
    if (!(webClient instanceof WebClientInternal internal)) {
      throw new IllegalStateException("the web client has no interceptors (expected: one made by WebClient.wrap)");
    }
    internal.addInterceptor(ctx -> {
      if (ctx.phase() == ClientPhase.SEND_REQUEST) {
        Sent s = Context.isOnEventLoopThread() ? local.get().get(ctx.request()) : null;
        if (s == null && !shared.isEmpty()) {
          s = shared.get(ctx.request());
        }
        if (s != null) {
          s.sent(ctx.clientRequest());
        }
      }
      ctx.next();
    });
  }

  /** Starts tracking a request about to be sent (keyed by identity: {@code HttpRequest} has no equals). */
  Sent track(HttpRequest<?> request) {
    Map<HttpRequest<?>, Sent> map = Context.isOnEventLoopThread() ? local.get() : shared;
    Sent s = new Sent(request, map);
    map.put(request, s);
    return s;
  }

  /** One tracked request. */
  final class Sent {
    private final HttpRequest<?> request;
    /** The map it is tracked in: the tracking thread's own, or the shared one. */
    private final Map<HttpRequest<?>, Sent> map;
    private HttpClientRequest clientRequest;
    private boolean aborted;

    Sent(HttpRequest<?> request, Map<HttpRequest<?>, Sent> map) {
      this.request = request;
      this.map = map;
    }

    synchronized void sent(HttpClientRequest r) {
      clientRequest = r;
      if (aborted) {
        r.reset();
      }
    }

    /** Resets the request now, or as soon as it is sent. */
    void abort() {
      HttpClientRequest r;
      synchronized (this) {
        aborted = true;
        r = clientRequest;
      }
      if (r != null) {
        r.reset();
      }
    }

    /** Whether the request got a connection to the target (it was handed to the HTTP client as a request). */
    synchronized boolean connected() {
      return clientRequest != null;
    }

    /** Stops tracking (the request ended; on the thread that tracked it when that was an event loop). */
    void done() {
      map.remove(request);
    }
  }
}
