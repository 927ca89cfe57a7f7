package dev.loadstar.healthcheck.internal;

import dev.loadstar.core.TargetHealth;
import dev.loadstar.healthcheck.HealthCheck;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code HTTP}, {@code HTTPS} and {@code GRPC} checks through one HTTP client per checker. {@code GRPC} checks are
 * HTTP/2 cleartext with prior knowledge, or HTTP/2 over TLS (ALPN {@code h2}) when the group's targets speak HTTPS;
 * target certificates are never validated, as with ALB.
 *
 * <p>With reused connections a check takes an idle kept-alive connection to the target's address (LIFO) or opens
 * one, and gives it back afterwards; otherwise it opens a connection and closes it after the check, as ALB does.
 * Connections are opened outside the client's pool, on the shard's event loop, and pooled per address by the shard
 * itself ({@link Endpoint}): targets sharing an address share connections, and there are never more connections to
 * an address than checks in flight to it.
 */
final class HttpProbe implements Probe {

  private final HealthCheck healthCheck;
  private final boolean grpc;
  /** {@code HTTPS} checks, and {@code GRPC} checks of a group whose targets speak HTTPS (h2 over TLS, as ALB). */
  private final boolean tls;
  private final long timeoutMs;
  private final HttpClientAgent http;
  private final AtomicBoolean closing;
  private final Verdict verdict;

  HttpProbe(Vertx vertx, String groupName, HealthCheck healthCheck, boolean targetsSpeakTls, AtomicBoolean closing,
      Verdict verdict) {
    this.healthCheck = healthCheck;
    this.grpc = healthCheck.protocol() == HealthCheck.Protocol.GRPC;
    this.tls = healthCheck.protocol() == HealthCheck.Protocol.HTTPS || grpc && targetsSpeakTls;
    this.timeoutMs = healthCheck.timeout().toMillis();
    this.closing = closing;
    this.verdict = verdict;
    HttpClientOptions options = new HttpClientOptions()
        .setKeepAlive(true) // each check decides: kept for reuse, or closed after the check
        .setTrustAll(true)
        .setVerifyHost(false)
        .setTcpNoDelay(true)
        .setName("loadstar-healthcheck-" + groupName);
    if (grpc && tls) {
      // gRPC over TLS: HTTP/2 negotiated with ALPN, certificates not validated (as for HTTPS checks)
      options.setProtocolVersion(HttpVersion.HTTP_2).setUseAlpn(true).setAlpnVersions(List.of(HttpVersion.HTTP_2));
    } else if (grpc) {
      // gRPC runs over HTTP/2; cleartext with prior knowledge (no HTTP/1.1 upgrade), as gRPC servers expect
      options.setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false);
    }
    this.http = vertx.httpClientBuilder().with(options).build();
  }

  @Override
  public void attach(TargetState s) {
    s.endpoint = s.shard.endpoints.computeIfAbsent(s.hostHeader, k -> new Endpoint(k, new HttpConnectOptions()
        .setHost(s.host).setPort(s.port).setSsl(tls)
        .setConnectTimeout(timeoutMs)));
    s.endpoint.users++;
    s.requestOptions = new RequestOptions().setMethod(HttpMethod.GET).setURI(healthCheck.path())
        .setFollowRedirects(false).putHeader(HttpHeaders.HOST, s.hostHeader)
        .putHeader(HttpHeaders.USER_AGENT, HealthCheck.USER_AGENT);
    if (grpc) {
      // HTTP/2 forbids Connection headers: a connection not reused is closed after the check instead
      s.requestOptions.setMethod(HttpMethod.POST).putHeader(HttpHeaders.CONTENT_TYPE, GrpcProbe.CONTENT_TYPE)
          .putHeader(GrpcProbe.TE, GrpcProbe.TRAILERS);
    } else if (!healthCheck.reuseConnections()) {
      s.requestOptions.putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
    }
  }

  @Override
  public void detach(TargetState s) {
    Endpoint e = s.endpoint;
    if (e != null && --e.users == 0) {
      s.shard.endpoints.remove(e.key);
      e.closeIdle();
    }
  }

  @Override
  public void check(Attempt a) {
    Endpoint.Conn idle = a.state.endpoint.takeIdle();
    if (idle != null) {
      send(a, idle, true);
    } else {
      connect(a);
    }
  }

  private void connect(Attempt a) {
    TargetState s = a.state;
    http.connect(s.endpoint.options).onComplete(ar -> {
      if (ar.failed()) {
        verdict.end(a, CheckVerdicts.classify(ar.cause(), false));
        return;
      }
      Endpoint.Conn c = new Endpoint.Conn(ar.result());
      if (a.done || s.stopped || closing.get()) {
        c.close();
        return;
      }
      send(a, c, false);
    });
  }

  private void send(Attempt a, Endpoint.Conn c, boolean reused) {
    TargetState s = a.state;
    a.conn = c;
    c.connection.request(s.requestOptions).onComplete(ar -> {
      if (ar.failed()) {
        failedBeforeResponse(a, c, reused, ar.cause());
        return;
      }
      HttpClientRequest request = ar.result();
      request.exceptionHandler(HttpProbe::ignore); // failures arrive through send(); no log per reset
      if (a.done) {
        request.reset();
        return;
      }
      a.request = request;
      (grpc ? request.send(GrpcProbe.EMPTY_MESSAGE) : request.send()).onComplete(sent -> {
        if (sent.failed()) {
          failedBeforeResponse(a, c, reused, sent.cause());
          return;
        }
        HttpClientResponse response = sent.result();
        int status = response.statusCode();
        if (grpc) {
          response.body().onComplete(body -> answered(a, c, body.cause(), body.failed() ? null
              : GrpcProbe.verdict(healthCheck, status, response.headers(), response.trailers(), body.result())));
        } else {
          response.end().onComplete(ended -> answered(a, c, ended.cause(),
              healthCheck.matches(status) ? null : CheckVerdicts.codeMismatch(status)));
        }
      });
    });
  }

  /**
   * The answer was read to its end ({@code failure} null; {@code readVerdict} null when the check passed), or could
   * not be. After a complete answer the connection goes back to the idle list when reused, else it closes.
   */
  private void answered(Attempt a, Endpoint.Conn c, Throwable failure, TargetHealth readVerdict) {
    if (failure != null) {
      c.close();
      verdict.end(a, CheckVerdicts.classify(failure, true));
      return;
    }
    if (healthCheck.reuseConnections() && !a.done) {
      a.state.endpoint.giveBack(c);
    } else {
      c.close();
    }
    verdict.end(a, readVerdict);
  }

  /**
   * A kept-alive connection can turn out closed only when used (the target closed it in between): that says nothing
   * about the target, so the check goes once more on a new connection, within the same deadline.
   */
  private void failedBeforeResponse(Attempt a, Endpoint.Conn c, boolean reused, Throwable cause) {
    c.close();
    if (reused && !a.done && !closing.get() && !a.state.stopped) {
      a.request = null;
      a.conn = null;
      connect(a);
      return;
    }
    verdict.end(a, CheckVerdicts.classify(cause, true));
  }

  @Override
  public void closeShard(Shard shard) {
    for (Endpoint e : shard.endpoints.values()) {
      e.closeIdle();
    }
    shard.endpoints.clear();
  }

  @Override
  public Future<Void> close() {
    return http.close();
  }

  private static void ignore(Throwable t) {
  }
}
