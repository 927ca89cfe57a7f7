package dev.loadstar.core.internal.client;

import io.vertx.core.http.HttpClientRequest;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.impl.ClientPhase;
import io.vertx.ext.web.client.impl.WebClientInternal;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The underlying {@link HttpClientRequest} of each request the client has sent and not finished, so that a request
 * can be reset (its connection closed) when its target's deregistration delay elapses. {@code WebClient} has no
 * public way to abort a request; an interceptor (vertx-web-client's {@code WebClientInternal}) sees the
 * {@code HttpClientRequest} when it is sent. Without that interceptor (another client implementation), an abort
 * only fails the attempt and the orphaned request ends on its own (answer, reset or idle timeout).
 */
final class SentRequests {

  private final ConcurrentHashMap<HttpRequest<?>, Sent> sending = new ConcurrentHashMap<>();

  SentRequests(WebClient webClient) {
    if (webClient instanceof WebClientInternal internal) {
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

    /** Stops tracking (the request ended). */
    void done() {
      sending.remove(request, this);
    }
  }
}
