package dev.loadstar.routing.internal.gateway;

import dev.loadstar.core.Exchange;
import dev.loadstar.core.FailureKind;
import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.routing.RequestLog;
import dev.loadstar.routing.RequestRecord;
import dev.loadstar.routing.RequestScope;
import dev.loadstar.routing.RequestStart;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.SocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The record of one request, filled as the listener handles it and handed to the {@link RequestLog} (and the
 * {@link RequestStart}'s scope) once the response has been sent or the client went away. Made only when a request log
 * or a request start is set; single-threaded (the worker's event loop).
 */
final class Record implements RequestRecord {

  private static final System.Logger LOG = System.getLogger(DefaultHttpListener.class.getName());

  private final HttpServerRequest req;
  private final String listener;
  private final long arrivalNanos;
  private final Instant creation;
  private final long headerBytes;
  private final List<String> actions = new ArrayList<>(2);
  private int rulePriority = -1;
  private String groupName;
  private String redirectUrl;
  private String errorReason;
  private String traceId;
  private Exchange exchange;
  private long headNanos = -1;
  private long endNanos;
  private Instant time;
  private boolean emitted;
  private String classification;
  private String classificationReason;
  /** The request start's scope, or null. */
  private RequestScope scope;

  private Record(HttpServerRequest req, String listener, long arrivalNanos) {
    this.req = req;
    this.listener = listener;
    this.arrivalNanos = arrivalNanos;
    this.creation = Instant.now();
    long h = req.uri().length() + 16;
    for (Map.Entry<String, String> e : req.headers()) {
      h += e.getKey().length() + e.getValue().length() + 4;
    }
    this.headerBytes = h;
  }

  /**
   * Starts the record of {@code req}, tells {@code start} (if any) of the request, and arranges for {@code log} and
   * the start's scope to get the record when the response is done.
   */
  static Record start(HttpServerRequest req, String listener, RequestLog log, RequestStart start) {
    Record r = new Record(req, listener, System.nanoTime());
    if (start != null) {
      try {
        r.scope = start.started(req);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "request start failed", e);
      }
    }
    req.response().endHandler(v -> r.emit(log));
    req.response().closeHandler(v -> r.emit(log));
    return r;
  }

  void rule(int priority) {
    this.rulePriority = priority;
  }

  void action(String action) {
    actions.add(action);
  }

  /** The request is forwarded to {@code group} through {@code exchange} with {@code headers} (before any attempt). */
  void forward(String group, Exchange exchange, MultiMap headers) {
    this.groupName = group;
    this.exchange = exchange;
    if (scope != null) {
      try {
        scope.forwarding(exchange, headers);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "request scope failed on forwarding", e);
      }
    }
    this.traceId = headers.get(ForwardedHeaders.TRACE);
  }

  void redirect(String location) {
    this.redirectUrl = location;
  }

  void error(String reason) {
    this.errorReason = reason;
  }

  void responseHead() {
    this.headNanos = System.nanoTime();
  }

  void classification(String classification, String reason) {
    this.classification = classification;
    this.classificationReason = reason;
  }

  private void emit(RequestLog log) {
    if (emitted) {
      return;
    }
    emitted = true;
    endNanos = System.nanoTime();
    time = Instant.now();
    if (errorReason == null && exchange != null && exchange.lastFailure() != null && targetStatusCode() == 0) {
      errorReason = reason(exchange.lastFailure());
    }
    if (log != null) {
      try {
        log.log(this);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "request log failed", e);
      }
    }
    if (scope != null) {
      try {
        scope.ended(this);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "request scope failed on end", e);
      }
    }
  }

  /** Loadstar's {@code error_reason} for a forward that ended with the listener's own error. */
  static String reason(FailureKind kind) {
    switch (kind) {
      case CONNECT_REFUSED:
      case UNREACHABLE:
        return "TargetConnectionError";
      case CONNECT_TIMEOUT:
        return "TargetConnectionTimeout";
      case TLS_HANDSHAKE:
        return "TargetTLSNegotiationError";
      case TIMEOUT:
        return "TargetResponseTimeout";
      case NESTED_UNAVAILABLE:
        return "NestedBalancerUnavailable";
      case DEREGISTERED:
        return "TargetDeregistered";
      case MALFORMED_RESPONSE:
        return "TargetResponseMalformed";
      case FUNCTION_ERROR:
        return "FunctionError";
      default:
        return "TargetConnectionLost";
    }
  }

  // ---- RequestRecord -------------------------------------------------------------------------------------------

  @Override
  public String type() {
    boolean tls = req.isSSL();
    if (req.canUpgradeToWebSocket()) {
      return tls ? "wss" : "ws";
    }
    if (req.version() == HttpVersion.HTTP_2) {
      String ct = req.getHeader("content-type");
      return ct != null && ct.startsWith("application/grpc") ? "grpcs" : "h2";
    }
    return tls ? "https" : "http";
  }

  @Override
  public Instant time() {
    return time;
  }

  @Override
  public String listener() {
    return listener;
  }

  @Override
  public String clientIp() {
    SocketAddress a = req.remoteAddress();
    return a == null ? null : a.hostAddress();
  }

  @Override
  public int clientPort() {
    SocketAddress a = req.remoteAddress();
    return a == null ? -1 : a.port();
  }

  private RegisteredTarget lastServer() {
    if (exchange == null || exchange.attempt() == 0) {
      return null;
    }
    return server(exchange.attempt() - 1);
  }

  @Override
  public String target() {
    RegisteredTarget t = lastServer();
    return t == null ? null : t.target().address();
  }

  @Override
  public long requestProcessingNanos() {
    return exchange == null || exchange.attempt() == 0 ? -1 : Math.max(0, exchange.attemptStartNanos() - arrivalNanos);
  }

  @Override
  public long targetProcessingNanos() {
    return headNanos < 0 || exchange == null ? -1 : Math.max(0, headNanos - exchange.attemptStartNanos());
  }

  @Override
  public long responseProcessingNanos() {
    return headNanos < 0 ? -1 : Math.max(0, endNanos - headNanos);
  }

  @Override
  public int statusCode() {
    return req.response().headWritten() ? req.response().getStatusCode() : 0;
  }

  @Override
  public int targetStatusCode() {
    return exchange == null || exchange.attempt() == 0 ? 0 : status(exchange.attempt() - 1);
  }

  /** Attempt {@code i}'s status; the last attempt may still be in flight while its response is relayed. */
  private int status(int i) {
    return i == exchange.attempt() - 1 && exchange.inFlight() ? exchange.statusCode() : exchange.attemptStatus(i);
  }

  private RegisteredTarget server(int i) {
    RegisteredTarget t = exchange.attemptServer(i);
    return t == null && i == exchange.attempt() - 1 ? exchange.server() : t;
  }

  @Override
  public long receivedBytes() {
    return headerBytes + req.bytesRead();
  }

  @Override
  public long sentBytes() {
    return req.response().bytesWritten();
  }

  @Override
  public String method() {
    return req.method().name();
  }

  @Override
  public String url() {
    String scheme = req.isSSL() ? "https" : "http";
    String host = req.authority() == null ? "-" : req.authority().host();
    int port = req.localAddress() == null ? -1 : req.localAddress().port();
    String uri = req.uri();
    if (uri.startsWith("http://") || uri.startsWith("https://")) {
      return uri;
    }
    return scheme + "://" + host + ":" + port + uri;
  }

  @Override
  public String protocolVersion() {
    switch (req.version()) {
      case HTTP_1_0:
        return "HTTP/1.0";
      case HTTP_2:
        return "HTTP/2.0";
      default:
        return "HTTP/1.1";
    }
  }

  @Override
  public String userAgent() {
    return req.getHeader("user-agent");
  }

  @Override
  public String sslCipher() {
    return null;
  }

  @Override
  public String sslProtocol() {
    return null;
  }

  @Override
  public String targetGroup() {
    return groupName;
  }

  @Override
  public String traceId() {
    return traceId != null ? traceId : req.getHeader(ForwardedHeaders.TRACE);
  }

  @Override
  public String domainName() {
    return req.isSSL() && req.connection() != null ? req.connection().indicatedServerName() : null;
  }

  @Override
  public String chosenCertificate() {
    return null;
  }

  @Override
  public int matchedRulePriority() {
    return rulePriority;
  }

  @Override
  public Instant requestCreationTime() {
    return creation;
  }

  @Override
  public List<String> actionsExecuted() {
    return actions;
  }

  @Override
  public String redirectUrl() {
    return redirectUrl;
  }

  @Override
  public String errorReason() {
    return errorReason;
  }

  @Override
  public List<String> targets() {
    List<String> out = new ArrayList<>();
    if (exchange != null) {
      for (int i = 0; i < exchange.attempt(); i++) {
        RegisteredTarget t = server(i);
        out.add(t == null ? "-" : t.target().address());
      }
    }
    return out;
  }

  @Override
  public List<Integer> targetStatusCodes() {
    List<Integer> out = new ArrayList<>();
    if (exchange != null) {
      for (int i = 0; i < exchange.attempt(); i++) {
        out.add(status(i));
      }
    }
    return out;
  }

  @Override
  public String classification() {
    return classification;
  }

  @Override
  public String classificationReason() {
    return classificationReason;
  }

  @Override
  public String connectionTraceId() {
    return req.connection() == null ? null : Integer.toHexString(System.identityHashCode(req.connection()));
  }
}
