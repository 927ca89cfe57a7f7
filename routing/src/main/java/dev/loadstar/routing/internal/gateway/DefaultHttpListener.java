package dev.loadstar.routing.internal.gateway;

import dev.loadstar.core.AttemptEngine;
import dev.loadstar.core.Balancer;
import dev.loadstar.core.BalancerGraph;
import dev.loadstar.core.CookieSeal;
import dev.loadstar.core.ExchangeListener;
import dev.loadstar.core.StickinessKeys;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.time.TimeSource;
import dev.loadstar.routing.Action;
import dev.loadstar.routing.HttpListener;
import dev.loadstar.routing.InspectionHook;
import dev.loadstar.routing.ListenerConfig;
import dev.loadstar.routing.ListenerStats;
import dev.loadstar.routing.RequestLog;
import dev.loadstar.routing.RequestStart;
import dev.loadstar.routing.Rule;
import dev.loadstar.routing.RuleSet;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.core.net.SocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The gateway listener: its settings, rules, counters and attempt engine, served by one {@link Worker} per event
 * loop (each with its own server instance on the shared port and its own client and connection pool, so a request
 * is served from accept to response on the event loop that accepted it).
 */
public final class DefaultHttpListener implements HttpListener {

  /** Hands each listener on port 0 its own shared-ephemeral-port key (see {@link #start()}). */
  private static final AtomicInteger SHARED_EPHEMERAL_PORTS = new AtomicInteger();

  final Vertx vertx;
  final ListenerConfig config;
  final Function<String, TargetGroup> groups;
  final List<InspectionHook> hooks;
  final StatsCounters stats = new StatsCounters();
  final ConnectionLimit connections;
  final CookieSeal groupCookies;
  final AttemptEngine engine;
  /** Where each request's record goes, or null for none. */
  final RequestLog requestLog;
  /** TLS of an HTTPS listener, else null. */
  final ListenerTls tls;
  /** Who is told of each request as it arrives, or null for none. */
  final RequestStart requestStart;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final List<Worker> workers = new CopyOnWriteArrayList<>();
  private volatile RuleSet rules;
  private Future<String> deployment;
  private Future<Void> closeFuture;
  /** How long workers let requests in flight finish when they stop (0 for {@link #close()}). */
  private volatile long shutdownMillis;

  /** A listener; use {@link HttpListener#builder}. */
  public DefaultHttpListener(Vertx vertx, ListenerConfig config, RuleSet rules, Function<String, TargetGroup> groups,
      List<InspectionHook> hooks, ExchangeListener.Factory listeners, TimeSource time, RequestLog requestLog,
      RequestStart requestStart) {
    this.requestLog = requestLog;
    this.requestStart = requestStart;
    this.vertx = vertx;
    this.config = config;
    this.groups = groups;
    this.hooks = hooks;
    this.connections = new ConnectionLimit(config.maxConnections(), stats.rejectedConnections);
    checkGroups(rules);
    this.rules = rules;
    StickinessKeys keys = config.groupStickinessKeys() != null ? config.groupStickinessKeys() : StickinessKeys.random();
    this.groupCookies = keys.seal("listener-group-stickiness");
    ExchangeListener.Factory all = listeners == ExchangeListener.Factory.NONE ? ExchangeListener.Factory.of(stats)
        : exchange -> new BothListeners(stats, listeners.create(exchange));
    this.engine = AttemptEngine.create(config.retryPolicy(), time, all, config.localZone());
    this.tls = config.tls() == null ? null
        : new ListenerTls(vertx, config.tls(), time, stats.clientTlsNegotiationErrors, config.name());
  }

  private void checkGroups(RuleSet rs) {
    Objects.requireNonNull(rs, "rules");
    for (Rule r : allRules(rs)) {
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
    int port = actualPort();
    if (port < 0 || closed.get()) {
      return null;
    }
    String host = config.host();
    if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
      host = "127.0.0.1";
    }
    return SocketAddress.inetSocketAddress(port, host);
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
    // one worker per instance, each on its own event-loop context; accepted connections go to them in turn
    // an HTTPS listener reads its certificates first (off the event loop), then watches them for changes
    Future<Void> ready = tls == null ? Future.succeededFuture() : tls.load();
    Future<String> deployed = ready.compose(v -> vertx.deployVerticle(() -> {
      Worker w = new Worker(this, listenPort);
      workers.add(w);
      return w;
    }, new DeploymentOptions().setInstances(n)));
    synchronized (this) {
      deployment = deployed;
    }
    if (tls != null) {
      deployed.onSuccess(id -> tls.watch(() -> {
        List<Function<ServerSSLOptions, Future<Boolean>>> servers = new ArrayList<>();
        for (Worker w : workers) {
          servers.add(w::updateSsl);
        }
        return servers;
      }));
    }
    return deployed.mapEmpty();
  }

  @Override
  public int actualPort() {
    for (Worker w : workers) {
      int p = w.actualPort();
      if (p > 0) {
        return p;
      }
    }
    return -1;
  }

  @Override
  public void rules(RuleSet newRules) {
    checkGroups(newRules);
    BalancerGraph graph = BalancerGraph.of(vertx);
    graph.change(() -> {
      for (Rule r : allRules(newRules)) {
        if (r.action().type() == Action.Type.FORWARD) {
          for (int i = 0; i < r.action().targetGroups().size(); i++) {
            String name = r.action().targetGroups().get(i).name();
            graph.checkNoLoop("rule \"" + r.name() + "\" forward.targetGroups[" + i + "].name", "\"" + name + "\"",
                this, groups.apply(name));
          }
        }
      }
      this.rules = newRules;
      return null;
    });
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
  public AttemptEngine engine() {
    return engine;
  }

  @Override
  public synchronized Future<Void> close() {
    return stop(0);
  }

  @Override
  public synchronized Future<Void> shutdown(java.time.Duration grace) {
    return stop(Math.max(0, grace.toMillis()));
  }

  private Future<Void> stop(long graceMillis) {
    if (closeFuture == null) {
      shutdownMillis = graceMillis;
      closed.set(true);
      if (tls != null) {
        tls.close();
      }
      Future<String> d = deployment;
      // undeploying closes every worker's server and client (after a start still in flight has ended)
      closeFuture = d == null ? Future.succeededFuture()
          : d.transform(ar -> ar.succeeded() ? vertx.undeploy(ar.result()) : Future.<Void>succeededFuture())
              .transform(ar -> Future.<Void>succeededFuture());
    }
    return closeFuture;
  }

  /** Whether requests get a {@link Record} (a request log or a request start is set). */
  boolean records() {
    return requestLog != null || requestStart != null;
  }

  boolean isClosed() {
    return closed.get();
  }

  long shutdownMillis() {
    return shutdownMillis;
  }

  /** The listener's statistics and a user's listener, for each exchange. */
  private static final class BothListeners implements ExchangeListener {
    private final ExchangeListener first;
    private final ExchangeListener second;

    BothListeners(ExchangeListener first, ExchangeListener second) {
      this.first = first;
      this.second = second;
    }

    @Override
    public void attemptStarted(dev.loadstar.core.Exchange exchange) {
      first.attemptStarted(exchange);
      second.attemptStarted(exchange);
    }

    @Override
    public void beforeSend(dev.loadstar.core.Exchange exchange, io.vertx.core.MultiMap headers) {
      first.beforeSend(exchange, headers);
      second.beforeSend(exchange, headers);
    }

    @Override
    public void attemptEnded(dev.loadstar.core.Exchange exchange, dev.loadstar.core.RequestOutcome outcome,
        dev.loadstar.core.FailureKind failure, int statusCode, long latencyNanos) {
      first.attemptEnded(exchange, outcome, failure, statusCode, latencyNanos);
      second.attemptEnded(exchange, outcome, failure, statusCode, latencyNanos);
    }

    @Override
    public void exchangeEnded(dev.loadstar.core.Exchange exchange, int statusCode) {
      first.exchangeEnded(exchange, statusCode);
      second.exchangeEnded(exchange, statusCode);
    }
  }
}
