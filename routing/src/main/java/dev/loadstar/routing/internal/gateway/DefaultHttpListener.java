package dev.loadstar.routing.internal.gateway;

import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.RequestOutcome;
import dev.loadstar.core.SelectionContext;
import dev.loadstar.core.Stickiness;
import dev.loadstar.core.StickinessKeys;
import dev.loadstar.core.StickySessions;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.internal.CookieCodec;
import dev.loadstar.routing.Action;
import dev.loadstar.routing.HttpListener;
import dev.loadstar.routing.InspectionContext;
import dev.loadstar.routing.InspectionHook;
import dev.loadstar.routing.ListenerConfig;
import dev.loadstar.routing.ListenerStats;
import dev.loadstar.routing.RoutingRequest;
import dev.loadstar.routing.Rule;
import dev.loadstar.routing.RuleSet;
import dev.loadstar.routing.Verdict;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import io.vertx.httpproxy.ProxyRequest;
import io.vertx.httpproxy.ProxyResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The gateway listener. Request and response plumbing (header copying, hop-by-hop removal, streaming bodies with
 * backpressure in both directions) is vertx-http-proxy's {@link ProxyRequest}/{@link ProxyResponse}; this class
 * owns routing, target choice, stickiness, accounting, retries, error mapping and the WebSocket tunnel.
 */
public final class DefaultHttpListener implements HttpListener {

  private static final System.Logger LOG = System.getLogger(DefaultHttpListener.class.getName());

  private final Vertx vertx;
  private final ListenerConfig config;
  private final Function<String, TargetGroup> groups;
  private final List<InspectionHook> hooks;
  private final StatsCounters stats = new StatsCounters();
  private final CookieCodec groupCookies;
  private final HttpClient client;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile RuleSet rules;
  private volatile HttpServer server;
  private Future<Void> closeFuture;

  /** A listener; use {@link HttpListener#builder}. */
  public DefaultHttpListener(Vertx vertx, ListenerConfig config, RuleSet rules, Function<String, TargetGroup> groups,
      List<InspectionHook> hooks) {
    this.vertx = vertx;
    this.config = config;
    this.groups = groups;
    this.hooks = hooks;
    checkGroups(rules);
    this.rules = rules;
    StickinessKeys keys = config.groupStickinessKeys() != null ? config.groupStickinessKeys() : StickinessKeys.random();
    this.groupCookies = new CookieCodec(keys.keys(), "listener-group-stickiness");
    HttpClientOptions co = new HttpClientOptions()
        .setKeepAlive(true)
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()))
        .setMaxHeaderSize(config.maxResponseHeadersSize())
        .setDecompressionSupported(false);
    this.client = vertx.createHttpClient(co, new PoolOptions().setHttp1MaxSize(config.maxConnectionsPerTarget()));
  }

  private void checkGroups(RuleSet rs) {
    Objects.requireNonNull(rs, "rules");
    List<Rule> all = new ArrayList<>(rs.rules());
    all.add(rs.defaultRule());
    for (Rule r : all) {
      if (r.action().type() == Action.Type.FORWARD) {
        for (int i = 0; i < r.action().targetGroups().size(); i++) {
          String name = r.action().targetGroups().get(i).name();
          if (groups.apply(name) == null) {
            throw new IllegalArgumentException("rule \"" + r.name() + "\" forward.targetGroups[" + i + "].name: \""
                + name + "\" (expected: a target group known to the listener)");
          }
        }
      }
    }
  }

  @Override
  public Future<Void> start() {
    HttpServerOptions so = new HttpServerOptions()
        .setHost(config.host())
        .setPort(config.port())
        .setMaxInitialLineLength(config.maxRequestLineLength())
        .setMaxHeaderSize(config.maxHeadersSize())
        .setHttp2ClearTextEnabled(true)
        .setIdleTimeout((int) Math.max(1, config.idleTimeout().getSeconds()));
    HttpServer s = vertx.createHttpServer(so)
        .connectionHandler(this::connected)
        .invalidRequestHandler(this::invalid)
        .requestHandler(this::handleSafely);
    return s.listen().map(bound -> {
      server = bound;
      return null;
    });
  }

  @Override
  public int actualPort() {
    HttpServer s = server;
    return s == null ? -1 : s.actualPort();
  }

  @Override
  public void rules(RuleSet newRules) {
    checkGroups(newRules);
    this.rules = newRules;
  }

  @Override
  public RuleSet rules() {
    return rules;
  }

  @Override
  public ListenerStats stats() {
    return stats;
  }

  @Override
  public synchronized Future<Void> close() {
    if (closeFuture == null) {
      closed.set(true);
      HttpServer s = server;
      Future<Void> serverClosed = s == null ? Future.succeededFuture() : s.close();
      closeFuture = serverClosed.transform(ar -> client.close()).transform(ar -> Future.succeededFuture());
    }
    return closeFuture;
  }

  // ---- request entry -------------------------------------------------------------------------------------------

  private void connected(io.vertx.core.http.HttpConnection conn) {
    stats.newConnections.increment();
    stats.activeConnections.increment();
    conn.closeHandler(v -> stats.activeConnections.decrement());
  }

  private void invalid(HttpServerRequest req) {
    stats.requests.increment();
    respond(req, 400, true);
  }

  private void handleSafely(HttpServerRequest req) {
    try {
      handle(req);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "listener failed on " + req.method() + " " + req.uri(), e);
      respond(req, 500, true);
    }
  }

  private void handle(HttpServerRequest req) {
    stats.requests.increment();
    req.pause();
    MultiMap headers = req.headers();
    for (Map.Entry<String, String> e : headers) {
      if (e.getKey().length() + 2 + e.getValue().length() > config.maxHeaderLength()) {
        respond(req, 400, true);
        return;
      }
    }
    if (ForwardedHeaders.forwardedForCount(headers) > config.maxForwardedForAddresses()) {
      respond(req, 463, true);
      return;
    }
    RuleSet rs = this.rules; // one read: the whole request sees one rule set
    SocketAddress remote = req.remoteAddress();
    int listenerPort = req.localAddress() != null ? req.localAddress().port() : config.port();
    io.vertx.core.net.HostAndPort authority = req.authority();
    RoutingRequest rr = RoutingRequest.builder()
        .method(req.method().name())
        .host(authority == null ? null : authority.host())
        .hostPort(authority != null && authority.port() > 0 ? authority.port() : req.isSSL() ? 443 : 80)
        .listenerPort(listenerPort)
        .path(req.path() == null ? "/" : req.path())
        .query(req.query())
        .headers(headers)
        .sourceIp(remote == null ? null : remote.hostAddress())
        .build();
    Rule rule = rs.match(rr);
    Action action = rule.action();
    switch (action.type()) {
      case REDIRECT:
        redirect(req, rr, action);
        return;
      case FIXED_RESPONSE:
        fixed(req, action);
        return;
      default:
        forward(req, rr, rule, action, listenerPort);
    }
  }

  // ---- redirect and fixed response ---------------------------------------------------------------------------

  private void redirect(HttpServerRequest req, RoutingRequest rr, Action a) {
    String inProto = req.isSSL() ? "https" : "http";
    String proto = a.protocol().equals(Action.PROTOCOL) ? inProto : a.protocol().toLowerCase();
    String port = Integer.toString(rr.hostPort());
    String path = rr.path().startsWith("/") ? rr.path().substring(1) : rr.path();
    String query = rr.query() == null ? "" : rr.query();
    String host = fill(a.host(), inProto, rr.host(), port, path, query);
    String toPort = fill(a.port(), inProto, rr.host(), port, path, query);
    String toPath = fill(a.path(), inProto, rr.host(), port, path, query);
    String toQuery = fill(a.query(), inProto, rr.host(), port, path, query);
    boolean defaultPort = proto.equals("http") && toPort.equals("80") || proto.equals("https") && toPort.equals("443");
    String location = proto + "://" + host + (defaultPort ? "" : ":" + toPort) + toPath
        + (toQuery.isEmpty() ? "" : "?" + toQuery);
    req.resume();
    req.response().setStatusCode(a.statusCode()).putHeader("location", location).putHeader("content-length", "0")
        .end();
  }

  private static String fill(String template, String proto, String host, String port, String path, String query) {
    if (template.indexOf('#') < 0) {
      return template;
    }
    return template.replace(Action.PROTOCOL, proto).replace(Action.HOST, host).replace(Action.PORT, port)
        .replace(Action.PATH, path).replace(Action.QUERY, query);
  }

  private void fixed(HttpServerRequest req, Action a) {
    req.resume();
    HttpServerResponse resp = req.response().setStatusCode(a.statusCode());
    if (a.contentType() != null) {
      resp.putHeader("content-type", a.contentType());
    }
    resp.end(a.body() == null ? "" : a.body());
  }

  // ---- forward ---------------------------------------------------------------------------------------------------

  /** One forwarded request through its attempts. */
  private final class Exchange implements InspectionContext {
    final HttpServerRequest req;
    final Rule rule;
    final String groupName;
    final TargetGroup group;
    final String groupCookie;
    final boolean websocket;
    final ProxyRequest proxyRequest;
    final MultiMap forwardHeaders;
    int attempt;

    Exchange(HttpServerRequest req, Rule rule, String groupName, TargetGroup group, String groupCookie) {
      this.req = req;
      this.rule = rule;
      this.groupName = groupName;
      this.group = group;
      this.groupCookie = groupCookie;
      this.websocket = req.canUpgradeToWebSocket();
      if (websocket) {
        this.proxyRequest = null;
        this.forwardHeaders = MultiMap.caseInsensitiveMultiMap().addAll(req.headers());
      } else {
        this.proxyRequest = ProxyRequest.reverseProxy(req);
        this.forwardHeaders = proxyRequest.headers();
      }
    }

    boolean clientGone() {
      return req.response().closed();
    }

    @Override
    public String method() {
      return req.method().name();
    }

    @Override
    public String uri() {
      return req.uri();
    }

    @Override
    public String remoteAddress() {
      return req.remoteAddress() == null ? null : req.remoteAddress().hostAddress();
    }

    @Override
    public MultiMap headers() {
      return forwardHeaders;
    }

    @Override
    public Rule rule() {
      return rule;
    }

    @Override
    public String targetGroup() {
      return groupName;
    }

    @Override
    public boolean isWebSocket() {
      return websocket;
    }
  }

  private void forward(HttpServerRequest req, RoutingRequest rr, Rule rule, Action a, int listenerPort) {
    String groupName;
    String groupCookie = null;
    if (a.targetGroups().size() == 1) {
      groupName = a.targetGroups().get(0).name();
    } else {
      groupName = null;
      if (a.stickiness() != null) {
        String v = Cookies.get(req.headers(), ListenerConfig.GROUP_COOKIE_NAME);
        String named = v == null ? null : groupCookies.decode(v, System.currentTimeMillis() / 1000);
        for (Action.WeightedGroup g : a.targetGroups()) {
          if (g.name().equals(named) && g.weight() > 0) {
            groupName = named;
          }
        }
      }
      if (groupName == null) {
        groupName = pickWeighted(a.targetGroups());
      }
    }
    if (a.stickiness() != null) {
      long expires = System.currentTimeMillis() / 1000 + a.stickiness().getSeconds();
      groupCookie = Cookies.setCookie(ListenerConfig.GROUP_COOKIE_NAME, groupCookies.encode(groupName, expires),
          expires);
    }
    Exchange ex = new Exchange(req, rule, groupName, groups.apply(groupName), groupCookie);
    String clientIp = rr.sourceIp() == null ? "" : rr.sourceIp();
    ForwardedHeaders.apply(ex.forwardHeaders, clientIp, req.isSSL() ? "https" : "http", listenerPort);
    runHooks(ex, 0);
  }

  private static String pickWeighted(List<Action.WeightedGroup> groups) {
    int total = 0;
    for (Action.WeightedGroup g : groups) {
      total += g.weight();
    }
    int x = ThreadLocalRandom.current().nextInt(total);
    for (Action.WeightedGroup g : groups) {
      x -= g.weight();
      if (x < 0) {
        return g.name();
      }
    }
    return groups.get(groups.size() - 1).name();
  }

  private void runHooks(Exchange ex, int index) {
    if (index == hooks.size()) {
      dispatch(ex);
      return;
    }
    Future<Verdict> f;
    try {
      f = hooks.get(index).inspect(ex);
      if (f == null) {
        throw new NullPointerException("inspection hook " + index + " returned null");
      }
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "inspection hook " + index + " failed on " + ex.method() + " " + ex.uri(), e);
      release(ex);
      respond(ex.req, 500, true);
      return;
    }
    f.onComplete(ar -> {
      if (ar.failed()) {
        LOG.log(System.Logger.Level.ERROR, "inspection hook " + index + " failed on " + ex.method() + " " + ex.uri(),
            ar.cause());
        release(ex);
        respond(ex.req, 500, true);
      } else if (ar.result() != null && ar.result().rejected()) {
        stats.hookRejections.increment();
        release(ex);
        Verdict v = ar.result();
        ex.req.resume();
        HttpServerResponse resp = ex.req.response();
        if (!resp.closed() && !resp.headWritten()) {
          resp.setStatusCode(v.status());
          if (v.body() != null) {
            resp.putHeader("content-type", "text/plain");
          }
          resp.end(v.body() == null ? "" : v.body());
        }
      } else {
        runHooks(ex, index + 1);
      }
    });
  }

  private static void release(Exchange ex) {
    if (ex.proxyRequest != null) {
      ex.proxyRequest.release();
    }
  }

  /** Chooses a target: the sticky one if the request names a usable one, else the group's selection. */
  private RegisteredTarget choose(Exchange ex, RegisteredTarget avoid) {
    TargetGroup g = ex.group;
    if (avoid == null) {
      Stickiness s = g.config().stickiness();
      if (s.enabled()) {
        String v = Cookies.get(ex.req.headers(), g.stickySessions().cookieName());
        RegisteredTarget sticky = v == null ? null : g.stickySessions().resolve(v);
        if (sticky != null) {
          return sticky;
        }
      }
      return g.select(SelectionContext.NONE);
    }
    RegisteredTarget t = g.select(SelectionContext.NONE);
    for (int i = 0; i < 4 && t == avoid; i++) {
      t = g.select(SelectionContext.NONE);
    }
    return t == avoid ? null : t;
  }

  /** Picks a target and counts it in flight; {@code null} when none can take the request. */
  private RegisteredTarget start(Exchange ex, RegisteredTarget avoid) {
    for (int i = 0; i < 8; i++) {
      RegisteredTarget t = choose(ex, avoid);
      if (t == null) {
        return null;
      }
      if (t.tryStartRequest()) {
        return t;
      }
    }
    return null;
  }

  private void dispatch(Exchange ex) {
    if (ex.clientGone()) {
      stats.elb(460);
      release(ex);
      return;
    }
    if (ex.group == null) {
      release(ex);
      respond(ex.req, 503, true);
      return;
    }
    RegisteredTarget t = start(ex, null);
    if (t == null) {
      release(ex);
      respond(ex.req, 503, true);
      return;
    }
    attempt(ex, t);
  }

  private void attempt(Exchange ex, RegisteredTarget t) {
    ex.attempt++;
    stats.forwarded.increment();
    long startNanos = System.nanoTime();
    RequestOptions o = new RequestOptions()
        .setHost(t.target().host())
        .setPort(t.target().port())
        .setMethod(ex.websocket ? HttpMethod.GET : ex.req.method())
        .setURI(ex.req.uri())
        .setConnectTimeout(config.connectTimeout().toMillis())
        .setIdleTimeout(config.idleTimeout().toMillis());
    client.request(o).onComplete(ar -> {
      if (ar.failed()) {
        t.endRequest(RequestOutcome.CONNECT_FAILURE, System.nanoTime() - startNanos);
        int status = Outcomes.isConnectTimeout(ar.cause()) ? 504 : 502;
        // nothing reached the target: any method may go to another target, once
        if (ex.attempt == 1 && retry(ex, t)) {
          return;
        }
        release(ex);
        respond(ex.req, status, true);
        return;
      }
      if (ex.websocket) {
        tunnel(ex, t, ar.result(), startNanos);
      } else {
        send(ex, t, ar.result(), startNanos);
      }
    });
  }

  /** Tries another target; false when there is none (the caller then answers with the failure). */
  private boolean retry(Exchange ex, RegisteredTarget failed) {
    if (ex.clientGone()) {
      return false;
    }
    RegisteredTarget other = start(ex, failed);
    if (other == null) {
      return false;
    }
    stats.retries.increment();
    attempt(ex, other);
    return true;
  }

  private void send(Exchange ex, RegisteredTarget t, HttpClientRequest creq, long startNanos) {
    ex.proxyRequest.send(creq).onComplete(ar -> {
      if (ar.failed()) {
        long latency = System.nanoTime() - startNanos;
        if (ex.clientGone()) {
          t.endRequest(RequestOutcome.CANCELLED, latency);
          stats.elb(460);
          return;
        }
        RequestOutcome outcome = Outcomes.afterSend(ar.cause());
        t.endRequest(outcome, latency);
        if (outcome == RequestOutcome.RESET && config.retryIdempotent() && ex.attempt == 1 && idempotent(ex.req.method())
            && ex.req.isEnded() && ex.req.bytesRead() == 0) {
          ex.proxyRequest.setBody(null);
          if (retry(ex, t)) {
            return;
          }
        }
        respond(ex.req, outcome == RequestOutcome.TIMEOUT ? 504 : 502, true);
        return;
      }
      ProxyResponse resp = ar.result();
      int status = resp.getStatusCode();
      stats.targetResponse(ex.groupName, status);
      addStickyCookies(ex, t, resp);
      resp.send().onComplete(sent -> {
        long latency = System.nanoTime() - startNanos;
        if (sent.succeeded()) {
          t.endRequest(status >= 500 ? RequestOutcome.TARGET_5XX : RequestOutcome.SUCCESS, latency);
        } else if (ex.clientGone()) {
          t.endRequest(RequestOutcome.CANCELLED, latency);
          stats.elb(460);
        } else {
          t.endRequest(Outcomes.afterSend(sent.cause()), latency);
          if (!ex.req.response().closed()) {
            ex.req.response().reset();
          }
        }
      });
    });
  }

  private void addStickyCookies(Exchange ex, RegisteredTarget t, ProxyResponse resp) {
    Stickiness s = ex.group.config().stickiness();
    if (s.enabled()) {
      StickySessions ss = ex.group.stickySessions();
      boolean issue = s.type() == Stickiness.Type.LB_COOKIE
          || Cookies.setsCookie(resp.headers().getAll("set-cookie"), s.appCookieName());
      if (issue) {
        long expires = System.currentTimeMillis() / 1000 + s.duration().getSeconds();
        resp.headers().add("set-cookie", Cookies.setCookie(ss.cookieName(), ss.issue(t), expires));
      }
    }
    if (ex.groupCookie != null) {
      resp.headers().add("set-cookie", ex.groupCookie);
    }
  }

  private static boolean idempotent(HttpMethod m) {
    return m == HttpMethod.GET || m == HttpMethod.HEAD || m == HttpMethod.OPTIONS || m == HttpMethod.PUT
        || m == HttpMethod.DELETE || m == HttpMethod.TRACE;
  }

  // ---- WebSocket -------------------------------------------------------------------------------------------------

  private void tunnel(Exchange ex, RegisteredTarget t, HttpClientRequest creq, long startNanos) {
    HttpServerRequest req = ex.req;
    for (Map.Entry<String, String> e : ex.forwardHeaders) {
      creq.headers().add(e.getKey(), e.getValue());
    }
    creq.connect().onComplete(ar -> {
      if (ar.failed()) {
        long latency = System.nanoTime() - startNanos;
        if (ex.clientGone()) {
          t.endRequest(RequestOutcome.CANCELLED, latency);
          stats.elb(460);
          return;
        }
        RequestOutcome outcome = Outcomes.afterSend(ar.cause());
        t.endRequest(outcome, latency);
        respond(req, outcome == RequestOutcome.TIMEOUT ? 504 : 502, true);
        return;
      }
      io.vertx.core.http.HttpClientResponse cresp = ar.result();
      HttpServerResponse resp = req.response();
      stats.targetResponse(ex.groupName, cresp.statusCode());
      if (cresp.statusCode() != 101) {
        // the target refused the upgrade: relay its answer
        resp.setStatusCode(cresp.statusCode());
        cresp.headers().forEach(h -> {
          if (!h.getKey().equalsIgnoreCase("connection") && !h.getKey().equalsIgnoreCase("transfer-encoding")
              && !h.getKey().equalsIgnoreCase("upgrade")) {
            resp.headers().add(h.getKey(), h.getValue());
          }
        });
        req.resume();
        cresp.body().onComplete(body -> {
          t.endRequest(cresp.statusCode() >= 500 ? RequestOutcome.TARGET_5XX : RequestOutcome.SUCCESS,
              System.nanoTime() - startNanos);
          resp.end(body.succeeded() ? body.result() : io.vertx.core.buffer.Buffer.buffer());
        });
        return;
      }
      NetSocket backend = cresp.netSocket();
      resp.setStatusCode(101);
      resp.headers().addAll(cresp.headers());
      req.toNetSocket().onComplete(sock -> {
        if (sock.failed()) {
          backend.close();
          t.endRequest(RequestOutcome.CANCELLED, System.nanoTime() - startNanos);
          stats.elb(460);
          return;
        }
        NetSocket front = sock.result();
        AtomicInteger open = new AtomicInteger(2);
        Promise<Void> done = Promise.promise();
        front.pipeTo(backend).onComplete(x -> {
          if (open.decrementAndGet() == 0) {
            done.tryComplete();
          } else {
            backend.close();
          }
        });
        backend.pipeTo(front).onComplete(x -> {
          if (open.decrementAndGet() == 0) {
            done.tryComplete();
          } else {
            front.close();
          }
        });
        done.future().onComplete(x -> t.endRequest(RequestOutcome.SUCCESS, System.nanoTime() - startNanos));
      });
    });
  }

  // ---- the listener's own responses ------------------------------------------------------------------------------

  private void respond(HttpServerRequest req, int status, boolean countAsElb) {
    if (countAsElb) {
      stats.elb(status);
    }
    HttpServerResponse resp = req.response();
    if (resp.closed()) {
      return;
    }
    if (resp.headWritten()) {
      resp.reset();
      return;
    }
    boolean drained = req.isEnded();
    req.resume();
    String body = ErrorPages.body(status);
    resp.setStatusCode(status).setStatusMessage(ErrorPages.reason(status))
        .putHeader("content-type", "text/html")
        .putHeader("server", "loadstar");
    if (!drained && req.version() != io.vertx.core.http.HttpVersion.HTTP_2) {
      resp.putHeader("connection", "close");
    }
    resp.end(body).onComplete(x -> {
      if (!drained && req.version() != io.vertx.core.http.HttpVersion.HTTP_2 && req.connection() != null) {
        req.connection().close();
      }
    });
  }
}
