package dev.loadstar.routing.internal.gateway;

import dev.loadstar.core.Balancer;
import dev.loadstar.core.FunctionRequest;
import dev.loadstar.core.FunctionResponse;
import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.RequestOutcome;
import dev.loadstar.core.SelectionContext;
import dev.loadstar.core.Stickiness;
import dev.loadstar.core.StickinessKeys;
import dev.loadstar.core.StickySessions;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.internal.CookieCodec;
import dev.loadstar.core.FailureKind;
import dev.loadstar.core.internal.Loops;
import dev.loadstar.core.internal.TargetRoute;
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
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
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
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.ProxyRequest;
import io.vertx.httpproxy.ProxyResponse;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The gateway listener. Request and response plumbing (header copying, hop-by-hop removal, streaming bodies with
 * backpressure in both directions) is vertx-http-proxy's {@link ProxyRequest}/{@link ProxyResponse}; this class
 * owns routing, target choice, stickiness, accounting, retries, error mapping and the WebSocket tunnel.
 */
public final class DefaultHttpListener implements HttpListener {

  private static final System.Logger LOG = System.getLogger(DefaultHttpListener.class.getName());
  /** Fails the hook chain's verdict when none came within the idle timeout (a signal: no stack trace). */
  private static final RuntimeException HOOK_TIMEOUT = new HookTimeout();
  /** Hands each listener on port 0 its own shared-ephemeral-port key (see {@link #start()}). */
  private static final AtomicInteger SHARED_EPHEMERAL_PORTS = new AtomicInteger();

  private final Vertx vertx;
  private final ListenerConfig config;
  private final Function<String, TargetGroup> groups;
  private final List<InspectionHook> hooks;
  private final StatsCounters stats = new StatsCounters();
  private final CookieCodec groupCookies;
  private final HttpClient client;
  private final SelectionContext selection;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile RuleSet rules;
  /** The first server instance (every instance listens on the same port). */
  private volatile HttpServer server;
  /** The deployment of the server instances, once started. */
  private Future<String> deployment;
  private Future<Void> closeFuture;

  /** A listener; use {@link HttpListener#builder}. */
  public DefaultHttpListener(Vertx vertx, ListenerConfig config, RuleSet rules, Function<String, TargetGroup> groups,
      List<InspectionHook> hooks) {
    this.vertx = vertx;
    this.config = config;
    this.groups = groups;
    this.hooks = hooks;
    this.selection = SelectionContext.inZone(config.localZone());
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

  /** Fails when a forward of the rules leads back to this listener (under {@link Loops#LOCK}). */
  private void checkLoops(RuleSet rs) {
    for (Rule r : allRules(rs)) {
      if (r.action().type() == Action.Type.FORWARD) {
        for (int i = 0; i < r.action().targetGroups().size(); i++) {
          String name = r.action().targetGroups().get(i).name();
          Loops.check("rule \"" + r.name() + "\" forward.targetGroups[" + i + "].name", "\"" + name + "\"", this,
              groups.apply(name));
        }
      }
    }
  }

  private static List<Rule> allRules(RuleSet rs) {
    List<Rule> all = new ArrayList<>(rs.rules());
    all.add(rs.defaultRule());
    return all;
  }

  @Override
  public String balancerName() {
    return config.name();
  }

  /** The target groups the current rules forward to. */
  @Override
  public Collection<? extends Balancer> downstream() {
    LinkedHashSet<Balancer> out = new LinkedHashSet<>();
    for (Rule r : allRules(rules)) {
      if (r.action().type() == Action.Type.FORWARD) {
        for (Action.WeightedGroup g : r.action().targetGroups()) {
          TargetGroup tg = groups.apply(g.name());
          if (tg != null) {
            out.add(tg);
          }
        }
      }
    }
    return out;
  }

  /** The bound address while listening (a wildcard bind is reached on the loopback address), else null. */
  @Override
  public SocketAddress address() {
    HttpServer s = server;
    if (s == null || closed.get()) {
      return null;
    }
    String host = config.host();
    if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
      host = "127.0.0.1";
    }
    return SocketAddress.inetSocketAddress(s.actualPort(), host);
  }

  @Override
  public Future<Void> start() {
    int n = config.eventLoops();
    int port = config.port();
    if (port == 0 && n > 1) {
      // Vert.x shares a port among the servers of one Vertx that listen on the same host and port; port 0 is never
      // shared, while a negative port is one ephemeral port shared by the servers listening with that same value
      port = -1 - (SHARED_EPHEMERAL_PORTS.getAndIncrement() & 0x3fff_ffff);
    }
    int listenPort = port;
    List<HttpServer> bound = new CopyOnWriteArrayList<>();
    // one server per instance, each on its own event-loop context; accepted connections go to them in turn
    Supplier<Deployable> instance = () -> new Deployable() {
      private HttpServer server;

      @Override
      public Future<?> deploy(io.vertx.core.Context context) {
        server = vertx.createHttpServer(serverOptions(listenPort))
            .connectionHandler(DefaultHttpListener.this::connected)
            .invalidRequestHandler(DefaultHttpListener.this::invalid)
            .requestHandler(DefaultHttpListener.this::handleSafely);
        return server.listen().onSuccess(bound::add);
      }

      @Override
      public Future<?> undeploy(io.vertx.core.Context context) {
        return server.close();
      }
    };
    Future<String> deployed = vertx.deployVerticle(instance, new DeploymentOptions().setInstances(n));
    synchronized (this) {
      deployment = deployed;
    }
    return deployed.map(id -> {
      server = bound.get(0);
      return null;
    });
  }

  private HttpServerOptions serverOptions(int port) {
    return new HttpServerOptions()
        .setHost(config.host())
        .setPort(port)
        .setMaxInitialLineLength(config.maxRequestLineLength())
        .setMaxHeaderSize(config.maxHeadersSize())
        .setHttp2ClearTextEnabled(true)
        // one second more than the wait on a target, so the 504 for a silent target reaches the client before
        // the client connection's own idle timeout closes it
        .setIdleTimeout((int) Math.min(Integer.MAX_VALUE, config.idleTimeout().toMillis() + 1_000))
        .setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
  }

  @Override
  public int actualPort() {
    HttpServer s = server;
    return s == null ? -1 : s.actualPort();
  }

  @Override
  public void rules(RuleSet newRules) {
    checkGroups(newRules);
    Loops.LOCK.lock();
    try {
      checkLoops(newRules);
      this.rules = newRules;
    } finally {
      Loops.LOCK.unlock();
    }
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
      Future<String> d = deployment;
      // undeploying closes every server instance (after a start still in flight has ended)
      Future<Void> serversClosed = d == null ? Future.succeededFuture()
          : d.transform(ar -> ar.succeeded() ? vertx.undeploy(ar.result()) : Future.<Void>succeededFuture());
      closeFuture = serversClosed.transform(ar -> client.close()).transform(ar -> Future.succeededFuture());
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
    } catch (Exception e) {
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
    /** The current attempt's route until its request is ended; see {@link #endAttempt}. */
    TargetRoute route;
    long attemptStartNanos;
    /** The current attempt's request to the target, once the client gave one. */
    HttpClientRequest backend;
    /** The hook awaited (for the log line when the hook chain times out). */
    volatile int hookIndex;
    /** Removes the current attempt's drain-timeout action ({@link RegisteredTarget#onDrainTimeout}). */
    Runnable drainHandle;
    /** The current attempt was cut because its target's deregistration delay elapsed: 502, no retry. */
    boolean drainTimedOut;

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

    /** Ends the current attempt's request on its target with this outcome, once; false if none was in flight. */
    boolean endAttempt(RequestOutcome outcome) {
      TargetRoute r = route;
      if (r == null) {
        return false;
      }
      route = null;
      if (drainHandle != null) {
        drainHandle.run();
        drainHandle = null;
      }
      r.end(outcome, System.nanoTime() - attemptStartNanos);
      return true;
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
    guard(ex, () -> runHooks(ex));
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

  /**
   * Runs the hook chain, then dispatches. The chain has {@code idleTimeout} to reach a verdict: a hook whose future
   * never completes gets the client a 504 (logged) instead of no answer, and its late verdict is ignored.
   */
  private void runHooks(Exchange ex) {
    if (hooks.isEmpty()) {
      dispatch(ex);
      return;
    }
    Promise<Verdict> verdict = Promise.promise();
    long timer = vertx.setTimer(Math.max(1, config.idleTimeout().toMillis()), id -> verdict.tryFail(HOOK_TIMEOUT));
    verdict.future().onComplete(ar -> {
      vertx.cancelTimer(timer);
      guard(ex, () -> afterHooks(ex, ar));
    });
    nextHook(ex, 0, verdict);
  }

  private void nextHook(Exchange ex, int index, Promise<Verdict> verdict) {
    if (verdict.future().isComplete()) {
      return; // the chain timed out: later hooks do not run
    }
    if (index == hooks.size()) {
      verdict.tryComplete(Verdict.pass());
      return;
    }
    ex.hookIndex = index;
    Future<Verdict> f;
    try {
      f = hooks.get(index).inspect(ex);
      if (f == null) {
        throw new NullPointerException("inspection hook " + index + " returned null");
      }
    } catch (RuntimeException e) {
      hookFailed(ex, index, e, verdict);
      return;
    }
    f.onComplete(ar -> {
      if (ar.failed()) {
        hookFailed(ex, index, ar.cause(), verdict);
      } else if (ar.result() != null && ar.result().rejected()) {
        verdict.tryComplete(ar.result());
      } else {
        nextHook(ex, index + 1, verdict);
      }
    });
  }

  private static void hookFailed(Exchange ex, int index, Throwable cause, Promise<Verdict> verdict) {
    if (verdict.tryFail(cause)) {
      LOG.log(System.Logger.Level.ERROR, "inspection hook " + index + " failed on " + ex.method() + " " + ex.uri(),
          cause);
    }
  }

  private void afterHooks(Exchange ex, io.vertx.core.AsyncResult<Verdict> ar) {
    if (ar.failed()) {
      release(ex);
      if (ar.cause() == HOOK_TIMEOUT) {
        LOG.log(System.Logger.Level.WARNING, "inspection hook " + ex.hookIndex + " gave no verdict within "
            + config.idleTimeout().toMillis() + " ms on " + ex.method() + " " + ex.uri() + "; answering 504");
        respond(ex.req, 504, true);
      } else {
        respond(ex.req, 500, true);
      }
      return;
    }
    Verdict v = ar.result();
    if (!v.rejected()) {
      dispatch(ex);
      return;
    }
    stats.hookRejections.increment();
    release(ex);
    ex.req.resume();
    HttpServerResponse resp = ex.req.response();
    if (!resp.closed() && !resp.headWritten()) {
      resp.setStatusCode(v.status());
      if (v.body() != null) {
        resp.putHeader("content-type", "text/plain");
      }
      resp.end(v.body() == null ? "" : v.body());
    }
  }

  /**
   * Runs one step of an exchange. Whatever it throws would otherwise end in the context's exception handler with
   * the client never answered and the target's request never ended: here it ends the attempt (as cancelled: the
   * target is not to blame), and answers 500, or resets a response already started.
   */
  private void guard(Exchange ex, Runnable step) {
    try {
      step.run();
    } catch (Exception e) {
      LOG.log(System.Logger.Level.ERROR, "listener failed on " + ex.method() + " " + ex.uri(), e);
      try {
        if (ex.endAttempt(RequestOutcome.CANCELLED) && ex.backend != null) {
          ex.backend.reset();
        }
        release(ex);
      } finally {
        HttpServerResponse resp = ex.req.response();
        if (!resp.ended() && !resp.closed()) {
          respond(ex.req, 500, true);
        }
      }
    }
  }

  /** Lets the unread request body drain; a no-op once the body was consumed or set aside for a retry. */
  private static void release(Exchange ex) {
    if (ex.proxyRequest != null && ex.proxyRequest.getBody() != null) {
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
        RegisteredTarget sticky = v == null ? null : g.stickySessions().resolve(v, selection);
        if (sticky != null) {
          return sticky;
        }
      }
      return g.select(selection);
    }
    RegisteredTarget t = g.select(selection);
    for (int i = 0; i < 4 && t == avoid; i++) {
      t = g.select(selection);
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
    stats.forwarded(t.target().zone());
    TargetRoute route = TargetRoute.of(t);
    ex.route = route;
    ex.backend = null;
    ex.drainTimedOut = false;
    ex.attemptStartNanos = System.nanoTime();
    if (!route.descend(selection) || (route.function() == null && route.host() == null)) {
      // a nested group had no target, or a nested listener is not listening: nothing was sent
      ex.endAttempt(RequestOutcome.CONNECT_FAILURE);
      if (ex.attempt == 1 && retry(ex, t)) {
        return;
      }
      release(ex);
      respond(ex.req, 503, true);
      return;
    }
    if (route.function() != null) {
      invoke(ex, route);
      return;
    }
    RequestOptions o = new RequestOptions()
        .setHost(route.host())
        .setPort(route.port())
        .setMethod(ex.websocket ? HttpMethod.GET : ex.req.method())
        .setURI(ex.req.uri())
        .setConnectTimeout(config.connectTimeout().toMillis())
        .setIdleTimeout(config.idleTimeout().toMillis());
    client.request(o).onComplete(ar -> guard(ex, () -> {
      if (ar.failed()) {
        ex.endAttempt(RequestOutcome.CONNECT_FAILURE);
        int status = Outcomes.isConnectTimeout(ar.cause()) ? 504 : 502;
        // nothing reached the target: any method may go to another target, once
        if (ex.attempt == 1 && retry(ex, t)) {
          return;
        }
        release(ex);
        respond(ex.req, status, true);
        return;
      }
      ex.backend = ar.result();
      if (ex.websocket) {
        tunnel(ex, ar.result());
      } else {
        cutOnDrainTimeout(ex, t, ar.result());
        send(ex, t, ar.result());
      }
    }));
  }

  // ---- function targets ------------------------------------------------------------------------------------------

  /** Hop-by-hop and framing headers a function's answer does not pass on (the listener frames the body itself). */
  private static final List<String> NOT_FROM_FUNCTION = List.of("connection", "keep-alive", "transfer-encoding",
      "upgrade", "content-length", "proxy-connection", "te", "trailer");

  /**
   * Calls a function target in process: the body is read whole, the handler gets the forwarded headers (with
   * X-Forwarded-*), and its answer is written back with the group's sticky cookies. A throw or failed future is a
   * reset (502; an idempotent request without a body goes to another target once, as after a reset connection), a
   * missed idle timeout a timeout (504).
   */
  private void invoke(Exchange ex, TargetRoute route) {
    if (ex.websocket) {
      ex.endAttempt(RequestOutcome.CANCELLED); // says nothing about the function
      respond(ex.req, 502, true);
      return;
    }
    HttpServerRequest req = ex.req;
    Future<Buffer> body = req.body();
    req.resume();
    io.vertx.core.Context ctx = vertx.getOrCreateContext();
    body.onComplete(read -> guard(ex, () -> {
      if (read.failed() || ex.clientGone()) {
        ex.endAttempt(RequestOutcome.CANCELLED);
        stats.elb(460);
        return;
      }
      Buffer payload = read.result();
      ex.proxyRequest.setBody(Body.body(payload)); // a retry on a host:port target resends it
      FunctionRequest request = new FunctionRequest(req.method(), req.uri(),
          MultiMap.caseInsensitiveMultiMap().addAll(ex.forwardHeaders), payload.copy());
      ex.attemptStartNanos = System.nanoTime();
      RegisteredTarget last = route.last();
      route.function().call(vertx, ctx, last.target().id(), request, config.idleTimeout().toMillis())
          .onComplete(ar -> guard(ex, () -> {
            if (ex.clientGone()) {
              ex.endAttempt(RequestOutcome.CANCELLED);
              stats.elb(460);
              return;
            }
            if (ar.failed()) {
              RequestOutcome outcome = FailureKind.classify(ar.cause(), true).outcome();
              ex.endAttempt(outcome);
              if (outcome == RequestOutcome.RESET && config.retryIdempotent() && ex.attempt == 1
                  && idempotent(req.method()) && payload.length() == 0 && retry(ex, route.first())) {
                return;
              }
              respond(req, outcome == RequestOutcome.TIMEOUT ? 504 : 502, true);
              return;
            }
            FunctionResponse answer = ar.result();
            stats.targetResponse(ex.groupName, answer.statusCode());
            ex.endAttempt(answer.statusCode() >= 500 ? RequestOutcome.TARGET_5XX : RequestOutcome.SUCCESS);
            HttpServerResponse resp = req.response();
            if (resp.closed() || resp.headWritten()) {
              return;
            }
            resp.setStatusCode(answer.statusCode());
            for (Map.Entry<String, String> h : answer.headers()) {
              if (!NOT_FROM_FUNCTION.contains(h.getKey().toLowerCase(java.util.Locale.ROOT))) {
                resp.headers().add(h.getKey(), h.getValue());
              }
            }
            addStickyCookies(ex, route.first(), resp.headers());
            resp.end(answer.body());
          }));
    }));
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

  /**
   * ALB closes a request still in flight when its target's deregistration delay elapses (502): the attempt's request
   * to the target is reset on the exchange's context, and {@link #send} answers 502 without a retry.
   */
  private void cutOnDrainTimeout(Exchange ex, RegisteredTarget t, HttpClientRequest creq) {
    io.vertx.core.Context ctx = vertx.getOrCreateContext();
    TargetRoute route = ex.route;
    ex.drainHandle = t.onDrainTimeout(() -> ctx.runOnContext(v -> guard(ex, () -> {
      if (ex.route == route && ex.backend == creq) {
        ex.drainTimedOut = true;
        creq.reset();
      }
    })));
  }

  private void send(Exchange ex, RegisteredTarget t, HttpClientRequest creq) {
    ex.proxyRequest.send(creq).onComplete(ar -> guard(ex, () -> {
      if (ar.failed()) {
        if (ex.clientGone()) {
          ex.endAttempt(RequestOutcome.CANCELLED);
          stats.elb(460);
          return;
        }
        if (ex.drainTimedOut) {
          ex.endAttempt(RequestOutcome.RESET);
          respond(ex.req, 502, true);
          return;
        }
        RequestOutcome outcome = Outcomes.afterSend(ar.cause());
        ex.endAttempt(outcome);
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
      addStickyCookies(ex, t, resp.headers());
      resp.send().onComplete(sent -> guard(ex, () -> {
        if (sent.succeeded()) {
          ex.endAttempt(status >= 500 ? RequestOutcome.TARGET_5XX : RequestOutcome.SUCCESS);
        } else if (ex.clientGone()) {
          ex.endAttempt(RequestOutcome.CANCELLED);
          stats.elb(460);
        } else {
          ex.endAttempt(Outcomes.afterSend(sent.cause()));
          if (!ex.req.response().closed()) {
            ex.req.response().reset();
          }
        }
      }));
    }));
  }

  private void addStickyCookies(Exchange ex, RegisteredTarget t, MultiMap respHeaders) {
    Stickiness s = ex.group.config().stickiness();
    if (s.enabled()) {
      StickySessions ss = ex.group.stickySessions();
      boolean issue = s.type() == Stickiness.Type.LB_COOKIE
          || Cookies.setsCookie(respHeaders.getAll("set-cookie"), s.appCookieName());
      if (issue) {
        long expires = System.currentTimeMillis() / 1000 + s.duration().getSeconds();
        respHeaders.add("set-cookie", Cookies.setCookie(ss.cookieName(), ss.issue(t), expires));
      }
    }
    if (ex.groupCookie != null) {
      respHeaders.add("set-cookie", ex.groupCookie);
    }
  }

  private static boolean idempotent(HttpMethod m) {
    return m == HttpMethod.GET || m == HttpMethod.HEAD || m == HttpMethod.OPTIONS || m == HttpMethod.PUT
        || m == HttpMethod.DELETE || m == HttpMethod.TRACE;
  }

  // ---- WebSocket -------------------------------------------------------------------------------------------------

  private void tunnel(Exchange ex, HttpClientRequest creq) {
    HttpServerRequest req = ex.req;
    for (Map.Entry<String, String> e : ex.forwardHeaders) {
      creq.headers().add(e.getKey(), e.getValue());
    }
    creq.connect().onComplete(ar -> guard(ex, () -> {
      if (ar.failed()) {
        if (ex.clientGone()) {
          ex.endAttempt(RequestOutcome.CANCELLED);
          stats.elb(460);
          return;
        }
        RequestOutcome outcome = Outcomes.afterSend(ar.cause());
        ex.endAttempt(outcome);
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
        cresp.body().onComplete(body -> guard(ex, () -> {
          ex.endAttempt(cresp.statusCode() >= 500 ? RequestOutcome.TARGET_5XX : RequestOutcome.SUCCESS);
          resp.end(body.succeeded() ? body.result() : io.vertx.core.buffer.Buffer.buffer());
        }));
        return;
      }
      NetSocket backend = cresp.netSocket();
      resp.setStatusCode(101);
      resp.headers().addAll(cresp.headers());
      req.toNetSocket().onComplete(sock -> guard(ex, () -> {
        if (sock.failed()) {
          backend.close();
          ex.endAttempt(RequestOutcome.CANCELLED);
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
        done.future().onComplete(x -> ex.endAttempt(RequestOutcome.SUCCESS));
      }));
    }));
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

  private static final class HookTimeout extends RuntimeException {
    HookTimeout() {
      super("inspection hook gave no verdict in time", null, false, false);
    }
  }
}
