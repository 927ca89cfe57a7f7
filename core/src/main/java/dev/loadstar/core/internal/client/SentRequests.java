package dev.loadstar.core.internal.client;

import io.vertx.core.http.HttpClientRequest;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.impl.ClientPhase;
import io.vertx.ext.web.client.impl.WebClientInternal;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The underlying {@link HttpClientRequest} of each request the client has sent and not finished: whether the
 * attempt got a connection (which decides how its failure is classified) and a way to reset it when its target's
 * deregistration delay elapses. {@code WebClient} has no public way to see either; an interceptor (vertx-web-client's
 * {@code WebClientInternal}, which {@code WebClient.wrap} returns) sees the {@code HttpClientRequest} when it is sent.
 */
final class SentRequests {

  private final ConcurrentHashMap<HttpRequest<?>, Sent> sending = new ConcurrentHashMap<>();

  SentRequests(WebClient webClient) {
    if (!(webClient instanceof WebClientInternal internal)) {
      throw new IllegalStateException("the web client has no interceptors (expected: one made by WebClient.wrap)");
    }
    internal.addInterceptor(ctx -> {
      if (ctx.phase() == ClientPhase.SEND_REQUEST) {
        Sent s = sending.get(ctx.request());
        if (s != null) {
          s.sent(ctx.clientRequest());
        }
      }
      ctx.next();
    });
  }

  /** Starts tracking a request about to be sent (keyed by identity: {@code HttpRequest} has no equals). */
  Sent track(HttpRequest<?> request) {
    Sent s = new Sent(request);
    sending.put(request, s);
    return s;
  }

  /** One tracked request. */
  final class Sent {
    private final HttpRequest<?> request;
    private HttpClientRequest clientRequest;
    private boolean aborted;

    Sent(HttpRequest<?> request) {
      this.request = request;
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

    /** Stops tracking (the request ended). */
    void done() {
      sending.remove(request, this);
    }
  }
}
