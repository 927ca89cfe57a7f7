package dev.loadstar.routing.internal.gateway;

import dev.loadstar.core.TargetGroup;
import dev.loadstar.routing.Action;
import dev.loadstar.routing.ListenerConfig;
import dev.loadstar.routing.RoutingRequest;
import dev.loadstar.routing.Rule;
import dev.loadstar.routing.RuleSet;
import dev.loadstar.routing.TlsConfig;
import io.vertx.core.Context;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.core.net.SocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * One event loop of a listener: its own server instance on the listener's port and its own client and connection
 * pool to the targets, so a request is served from accept to response on this loop, without a cross-thread hop
 * (the model of nginx workers). Routes each request and answers redirects, fixed responses and the listener's own
 * errors; forwards go to a {@link Forward}.
 */
final class Worker implements Deployable {

  private static final System.Logger LOG = System.getLogger(DefaultHttpListener.class.getName());

  final DefaultHttpListener listener;
  final ListenerConfig config;
  final StatsCounters stats;
  private final RequestGuard guard;
  private final int listenPort;
  private HttpServer server;
  TargetClients clients;
  Context context;
  /** The event loop thread of {@link #context}: the only thread that writes to this worker's client connections. */
  volatile Thread loop;

  Worker(DefaultHttpListener listener, int listenPort) {
    this.listener = listener;
    this.config = listener.config;
    this.stats = listener.stats;
    this.guard = new RequestGuard(config, stats);
    this.listenPort = listenPort;
  }

  @Override
  public Future<?> deploy(Context context) {
    this.context = context;
    this.loop = Thread.currentThread();
    // created on this worker's context: its connections live on this event loop
    this.clients = new TargetClients(listener.vertx, config);
    server = listener.vertx.createHttpServer(serverOptions(listenPort));
    if (listener.tls != null) {
      server.exceptionHandler(listener.tls::serverException);
    }
    server.connectionHandler(this::connected)
        .invalidRequestHandler(this::invalid)
        .requestHandler(this::handleSafely);
    return server.listen();
  }

  @Override
  public Future<?> undeploy(Context context) {
    HttpServer s = server;
    // stops accepting at once; with a grace period, requests in flight finish (HTTP/1.1 connections close after
    // their current response, HTTP/2 ones get a GOAWAY) until it elapses
    Future<Void> closed = s == null ? Future.succeededFuture()
        : s.shutdown(listener.shutdownMillis(), TimeUnit.MILLISECONDS);
    return closed.eventually(() -> clients == null ? Future.succeededFuture() : clients.close());
  }

  int actualPort() {
    HttpServer s = server;
    return s == null ? -1 : s.actualPort();
  }

  /** Gives the server new TLS options (certificates reloaded): new handshakes use them. */
  Future<Boolean> updateSsl(ServerSSLOptions options) {
    HttpServer s = server;
    return s == null ? Future.succeededFuture(false) : s.updateSSLOptions(options);
  }

  private HttpServerOptions serverOptions(int port) {
    HttpServerOptions o = new HttpServerOptions()
        .setHost(config.host())
        .setPort(port)
        .setMaxInitialLineLength(config.maxRequestLineLength())
        .setMaxHeaderSize(config.maxHeadersSize())
        .setHttp2ClearTextEnabled(true)
        .setHandle100ContinueAutomatically(true)
        // every write to a client connection happens on its event loop (Forward.guard hops there), so Vert.x may
        // write directly instead of through a cross-thread outbound queue
        .setStrictThreadMode(true)
        // one second more than the wait on a target, so the 504 for a silent target reaches the client before
        // the client connection's own idle timeout closes it
        .setIdleTimeout((int) Math.min(Integer.MAX_VALUE, config.idleTimeout().toMillis() + 1_000))
        .setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
    if (listener.tls != null) {
      listener.tls.configure(o, true); // HTTPS: ALPN offers h2 and http/1.1
    }
    return o;
  }

  // ---- request entry -------------------------------------------------------------------------------------------

  private void connected(HttpConnection conn) {
    if (!listener.connections.tryAcquire()) {
      conn.close();
      guard.closing(conn); // a request already read on it is not served
      return;
    }
    stats.newConnections.increment();
    stats.activeConnections.increment();
    conn.closeHandler(v -> {
      stats.activeConnections.decrement();
      listener.connections.release();
    });
  }

  private void invalid(HttpServerRequest req) {
    stats.requests.increment();
    if (listener.records()) {
      Record.start(req, config.name(), listener.requestLog, listener.requestStart);
    }
    if (guard.undecodable(req)) {
      respond(req, 400, true);
    }
  }

  private void handleSafely(HttpServerRequest req) {
    try {
      handle(req);
    } catch (Exception e) {
      LOG.log(System.Logger.Level.ERROR, "listener failed on " + req.method() + " " + Logs.safe(req.uri()), e);
      respond(req, 500);
    }
  }

  private void handle(HttpServerRequest req) {
    stats.requests.increment();
    req.pause();
    Record record = listener.records()
        ? Record.start(req, config.name(), listener.requestLog, listener.requestStart) : null;
    int refused = guard.check(req); // validation and desync classification (RequestGuard)
    if (record != null) {
      record.classification(guard.classification == null ? null : guard.classification.albName(),
          guard.reason == null ? null : guard.reason.albName());
    }
    if (refused != 0) {
      if (refused > 0) {
        respond(req, refused, true);
      }
      return;
    }
    MultiMap headers = req.headers();
    if (ForwardedHeaders.forwardedForCount(headers) > config.maxForwardedForAddresses()) {
      respond(req, 463);
      return;
    }
    RuleSet rs = listener.rules(); // one read: the whole request sees one rule set
    SocketAddress remote = req.remoteAddress();
    SocketAddress local = req.localAddress();
    int listenerPort = local != null ? local.port() : config.port();
    HostAndPort authority = guard.authority;
    String path = guard.path;
    RoutingRequest rr = RoutingRequest.builder()
        .method(req.method().name())
        .host(authority == null ? null : authority.host())
        .hostPort(authority != null && authority.port() > 0 ? authority.port() : req.isSSL() ? 443 : 80)
        .listenerPort(listenerPort)
        .path(path)
        .query(req.query())
        .headers(headers)
        .sourceIp(remote == null ? null : remote.hostAddress())
        .build();
    Rule rule = rs.match(rr);
    Action action = rule.action();
    if (record != null) {
      record.rule(rule.isDefault() ? 0 : rule.priority());
    }
    switch (action.type()) {
      case REDIRECT:
        String location = Redirects.location(req, rr, action);
        if (record != null) {
          record.action("redirect");
          record.redirect(location);
        }
        Redirects.redirect(req, action, location);
        return;
      case FIXED_RESPONSE:
        if (record != null) {
          record.action("fixed-response");
        }
        Redirects.fixed(req, action);
        return;
      default:
        forward(req, rr, rule, action, listenerPort, record);
    }
  }

  private void forward(HttpServerRequest req, RoutingRequest rr, Rule rule, Action a, int listenerPort,
      Record record) {
    String groupName = null;
    String groupCookie = null;
    if (a.targetGroups().size() == 1) {
      groupName = a.targetGroups().get(0).name();
    } else if (a.stickiness() != null) {
      String v = dev.loadstar.core.Cookies.get(req.headers().getAll("cookie"), ListenerConfig.GROUP_COOKIE_NAME);
      String named = v == null ? null : listener.groupCookies.open(v, System.currentTimeMillis() / 1000);
      for (Action.WeightedGroup g : a.targetGroups()) {
        if (g.name().equals(named) && g.weight() > 0) {
          groupName = named;
        }
      }
    }
    if (groupName == null) {
      groupName = a.pickTargetGroup();
    }
    if (a.stickiness() != null) {
      long expires = System.currentTimeMillis() / 1000 + a.stickiness().getSeconds();
      groupCookie = dev.loadstar.core.Cookies.setCookie(ListenerConfig.GROUP_COOKIE_NAME,
          listener.groupCookies.seal(groupName, expires), expires);
    }
    TargetGroup group = listener.groups.apply(groupName);
    Forward f = new Forward(this, req, rule, groupName, group, groupCookie, record);
    guard.applyTo(f);
    String clientIp = rr.sourceIp() == null ? "" : rr.sourceIp();
    ForwardedHeaders.apply(f.headers, clientIp, req.isSSL() ? "https" : "http", listenerPort);
    ClientCertificates.apply(f.headers, req, listener.tls == null ? TlsConfig.MutualAuthenticationMode.OFF
        : listener.tls.config().mutualAuthenticationMode());
    f.sourceIp = rr.sourceIp();
    f.listenerPort = listenerPort;
    f.start();
  }

  // ---- the listener's own responses ------------------------------------------------------------------------------

  /**
   * Answers with the listener's own error page (counted as an ELB response); resets a response already started.
   * An HTTP/1.x request whose body was not read is answered with {@code Connection: close}.
   */
  void respond(HttpServerRequest req, int status) {
    respond(req, status, false);
  }

  /** {@link #respond(HttpServerRequest, int)}; with {@code close}, an HTTP/1.x connection is closed after it. */
  void respond(HttpServerRequest req, int status, boolean close) {
    stats.elb(status);
    HttpServerResponse resp = req.response();
    if (resp.closed()) {
      return;
    }
    if (resp.headWritten()) {
      resp.reset();
      return;
    }
    boolean drained = req.isEnded() && !close;
    boolean http1 = req.version() != HttpVersion.HTTP_2;
    req.resume();
    String body = ErrorPages.body(status);
    resp.setStatusCode(status).setStatusMessage(ErrorPages.reason(status))
        .putHeader("content-type", "text/html")
        .putHeader("server", "loadstar");
    if (!drained && http1) {
      resp.putHeader("connection", "close");
    }
    resp.end(body).onComplete(x -> {
      if (!drained && http1 && req.connection() != null) {
        req.connection().close();
      }
    });
  }
}
