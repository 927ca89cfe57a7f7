package dev.loadstar.routing.internal.gateway;

import dev.loadstar.core.TargetGroupConfig.ProtocolVersion;
import dev.loadstar.routing.ListenerConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.PemTrustOptions;
import java.util.Locale;

/**
 * A worker's clients to targets, one per protocol version (ALB's {@code ProtocolVersion}): HTTP/1.1, made when the
 * worker starts, and HTTP/2, made on first use by a group that needs it (a listener without HTTP/2 groups makes
 * none). HTTP/2 goes over TLS with ALPN for {@code HTTPS} groups and in cleartext with prior knowledge (h2c) for
 * {@code HTTP} groups; a target that negotiates only {@code http/1.1} by ALPN is spoken to in HTTP/1.1. Used on the
 * worker's event loop only, so its connections live there.
 */
final class TargetClients {

  private final Vertx vertx;
  private final ListenerConfig config;
  private final HttpClient http1;
  private HttpClient http2;
  private boolean closed;

  TargetClients(Vertx vertx, ListenerConfig config) {
    this.vertx = vertx;
    this.config = config;
    this.http1 = vertx.createHttpClient(clientOptions(config),
        new PoolOptions().setHttp1MaxSize(config.maxConnectionsPerTarget()));
  }

  /** The client for a group of this protocol version. */
  HttpClient client(ProtocolVersion version) {
    if (!version.usesHttp2()) {
      return http1;
    }
    if (http2 == null && !closed) {
      http2 = vertx.createHttpClient(clientOptions(config).setProtocolVersion(HttpVersion.HTTP_2).setUseAlpn(true)
          .setHttp2ClearTextUpgrade(false), new PoolOptions().setHttp2MaxSize(config.maxConnectionsPerTarget()));
    }
    return http2 != null ? http2 : http1; // closed: the closed client fails the request
  }

  /** Closes the clients made; a later {@link #client} makes none. */
  Future<Void> close() {
    closed = true;
    HttpClient h2 = http2;
    return http1.close().eventually(() -> h2 == null ? Future.succeededFuture() : h2.close());
  }

  static HttpClientOptions clientOptions(ListenerConfig config) {
    HttpClientOptions o = new HttpClientOptions()
        .setKeepAlive(true)
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()))
        .setMaxHeaderSize(config.maxResponseHeadersSize())
        .setDecompressionSupported(false);
    // HTTPS targets (a request sets ssl per target group): not validated unless asked, as ALB
    if (config.verifyTargetCertificates()) {
      // the chain is validated; host names are not (targets are addressed by IP, certificates name services)
      o.setVerifyHost(false);
      if (config.targetTrustStorePath() != null) {
        o.setTrustOptions(new PemTrustOptions().addCertPath(config.targetTrustStorePath()));
      }
    } else {
      o.setTrustAll(true).setVerifyHost(false);
    }
    return o;
  }

  /**
   * Whether a group of this protocol version takes the request; ALB answers 464 otherwise: a gRPC request (HTTP/2,
   * {@code content-type: application/grpc*}) to an {@code HTTP1} group, anything but a gRPC {@code POST} to a
   * {@code GRPC} group, a WebSocket upgrade to an {@code HTTP2} or {@code GRPC} group. An HTTP/1.1 request to an
   * {@code HTTP2} group is sent to the target over HTTP/2 (ALB answers 464).
   */
  static boolean accepts(ProtocolVersion version, HttpServerRequest req, boolean websocket) {
    switch (version) {
      case GRPC:
        return isGrpc(req) && req.method() == HttpMethod.POST;
      case HTTP2:
        return !websocket;
      default:
        return !isGrpc(req);
    }
  }

  /** An HTTP/2 request with a gRPC content type. */
  static boolean isGrpc(HttpServerRequest req) {
    if (req.version() != HttpVersion.HTTP_2) {
      return false;
    }
    String type = req.getHeader("content-type");
    return type != null && type.toLowerCase(Locale.ROOT).startsWith("application/grpc");
  }

  /**
   * Adapts a request's headers to an HTTP/2 target: the Host header becomes {@code :authority}, and a client's
   * {@code TE: trailers} (the one TE value HTTP/2 allows, which gRPC servers expect) is kept.
   */
  static void prepareHttp2(HttpServerRequest req, HttpClientRequest creq) {
    String host = creq.headers().get("host");
    if (host != null) {
      creq.headers().remove("host");
      HostAndPort authority = HostAndPort.parseAuthority(host, -1);
      if (authority != null) {
        creq.authority(authority);
      }
    }
    String te = req.getHeader("te");
    if (te != null && HopByHop.listed(te, "trailers")) {
      creq.putHeader("te", "trailers");
    }
  }
}
