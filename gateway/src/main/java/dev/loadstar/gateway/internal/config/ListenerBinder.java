package dev.loadstar.gateway.internal.config;

import dev.loadstar.core.RetryPolicy;
import dev.loadstar.core.config.Checks;
import dev.loadstar.gateway.config.ListenerSpec;
import dev.loadstar.routing.DesyncMitigationMode;
import dev.loadstar.routing.ListenerConfig;
import dev.loadstar.routing.RuleLimits;
import dev.loadstar.routing.RuleSet;
import dev.loadstar.routing.TlsConfig;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Binds {@code listeners[]}: HTTP and HTTPS listeners with their rules, TCP and TLS listeners with their target
 * group.
 */
final class ListenerBinder {

  private static final String DESYNC = "routing.http.desync_mitigation_mode";
  private static final String DROP_INVALID = "routing.http.drop_invalid_header_fields.enabled";
  private static final List<String> DESYNC_MODES = List.of("monitor", "defensive", "strictest");

  private final Scope s;
  private final Context ctx;

  ListenerBinder(Scope s) {
    this.s = s;
    this.ctx = s.ctx();
  }


  ListenerSpec listener(Obj o, Map<String, String> names, List<GatewayBinder.Bind> binds) {
    Val<String> name = o.require(o.string("name"), "a listener name");
    if (name.present()) {
      String first = names.putIfAbsent(name.value(), o.path());
      if (first != null) {
        ctx.error(name.node(), name.path(), name.render() + " (expected: a name no other listener uses; " + first
            + " has it)");
      }
    }
    boolean nameOk = listenerName(name);
    Val<String> protocol = o.choice("protocol", List.of("HTTP", "HTTPS", "TCP", "TLS"));
    boolean tcp = "TCP".equals(protocol.value()) || "TLS".equals(protocol.value());
    Val<TlsConfig> tls = new TlsBinder(s).tls(o, protocol.invalid() ? null : protocol.or("HTTP"));
    Val<String> host = o.string("host");
    Val<Long> port = o.require(o.integer("port", "a port 0-65535 (0 picks a free port)"),
        "a port 0-65535 (0 picks a free port)");
    Val<String> zoneField = o.string("zone");
    String zone = zoneField.present() ? s.zone(zoneField) : s.gatewayZone;
    boolean zoneOk = !zoneField.invalid() && (!zoneField.present() || zone != null);
    Val<BigDecimal> connect = o.number("connectTimeoutSeconds", "a number of seconds");
    Obj attrs = o.object("attributes");
    String idleKey = tcp ? "tcp.idle_timeout.seconds" : "idle_timeout.timeout_seconds";
    Val<Long> idle = attrs == null ? new Val<>(o.path("attributes." + idleKey), null, null, false)
        : attrs.integer(idleKey, true, "a whole number of seconds");
    String preserveKey = "routing.http.preserve_host_header.enabled";
    Val<Boolean> preserveHost = attrs == null || tcp ? new Val<>(o.path("attributes." + preserveKey), null, null, false)
        : attrs.bool(preserveKey, true);
    Val<String> desync = attrs == null || tcp ? new Val<>(o.path("attributes." + DESYNC), null, null, false)
        : attrs.choice(DESYNC, DESYNC_MODES);
    Val<Boolean> dropInvalid = attrs == null || tcp ? new Val<>(o.path("attributes." + DROP_INVALID), null, null,
        false) : attrs.bool(DROP_INVALID, true);
    Val<dev.loadstar.gateway.config.AccessLogSettings> accessLog = attrs == null || tcp
        ? new Val<>(o.path("attributes"), null, null, false) : new AccessLogBinder(s).settings(attrs);
    RetryPolicy retryPolicy = retryPolicy(o.object("retry"), tcp);
    long idleMin = tcp ? 60 : 1;
    long idleMax = tcp ? 6000 : 4000;
    if (idle.present() && (idle.value() < idleMin || idle.value() > idleMax)) {
      ctx.error(idle.node(), idle.path(), idle.render() + " (expected: " + idleMin + "-" + idleMax + ")");
      idle = new Val<>(idle.path(), idle.node(), null, true);
    }
    if (attrs != null) {
      attrs.rejectUnknown();
    }
    if (connect.present() && connect.value().signum() <= 0) {
      ctx.error(connect.node(), connect.path(), connect.render() + " (expected: > 0)");
      connect = new Val<>(connect.path(), connect.node(), null, true);
    }
    if (port.present() && (port.value() < 0 || port.value() > 65535)) {
      ctx.error(port.node(), port.path(), port.render() + " (expected: 0-65535)");
      port = new Val<>(port.path(), port.node(), null, true);
    }
    String h = host.or("0.0.0.0");
    if (host.present() && h.isBlank()) {
      ctx.error(host.node(), host.path(), host.render() + " (expected: an address to bind, such as 0.0.0.0)");
    }
    if (port.present()) {
      binds.add(new GatewayBinder.Bind(port.path(), port.node(), h, port.value().intValue(), o.path()));
    }
    Duration idleTimeout = Duration.ofSeconds(idle.or(tcp ? 350L : 60L));
    Duration connectTimeout = connect.present() ? Values.seconds(connect.value()) : Duration.ofSeconds(10);
    List<Node> defaults = o.list("defaultActions");
    if (defaults == null && !o.has("defaultActions")) {
      o.missing(o.path("defaultActions"), "a list with one action");
    }
    if (tcp) {
      o.raw("rules");
      if (o.has("rules")) {
        ctx.error(o.raw("rules"), o.path("rules"), "a list (expected: no rules on a TCP listener: it forwards every "
            + "connection to the target group of its default action)");
      }
      String group = null;
      if (defaults != null) {
        if (defaults.size() != 1) {
          ctx.error(o.raw("defaultActions"), o.path("defaultActions"), defaults.size()
              + " actions (expected: exactly one forward action)");
        } else {
          Obj a = Obj.of(ctx, Paths.item(o.path("defaultActions"), 0), defaults.get(0));
          if (a != null) {
            Val<String> type = a.require(a.choice("type", List.of("forward")), "forward");
            Val<String> tg = a.require(a.string("targetGroupName"), "the target group to forward connections to");
            a.rejectUnknown();
            if (tg.present()) {
              s.groupRefs.add(tg);
              group = tg.value();
            }
            if (!type.present()) {
              group = null;
            }
          }
        }
      }
      Val<Long> tcpMaxConns = o.integer("maxConnections", "a whole number 0-10000000 (0: no limit)");
      if (tcpMaxConns.present() && (tcpMaxConns.value() < 0 || tcpMaxConns.value() > 10_000_000)) {
        ctx.error(tcpMaxConns.node(), tcpMaxConns.path(), tcpMaxConns.render() + " (expected: 0-10000000)");
        tcpMaxConns = new Val<>(tcpMaxConns.path(), tcpMaxConns.node(), null, true);
      }
      o.rejectUnknown();
      if (!nameOk || !port.present() || group == null || idle.invalid() || connect.invalid() || !zoneOk
          || retryPolicy == null || tls.invalid() || tcpMaxConns.invalid()) {
        return null;
      }
      return new ListenerSpec(name.value(), ListenerSpec.Protocol.TCP, h, port.value().intValue(), null, null, group,
          idleTimeout, connectTimeout, zone, retryPolicy, null, tls.value(),
          tcpMaxConns.or((long) ListenerConfig.DEFAULT_MAX_CONNECTIONS).intValue());
    }
    // HTTP
    Val<Boolean> retry = o.bool("retryIdempotent");
    Val<Long> maxConns = o.integer("maxConnectionsPerTarget", "a whole number 1-100000");
    Val<Long> maxClientConns = o.integer("maxConnections", "a whole number 0-10000000 (0: no limit)");
    Val<Long> eventLoops = o.integer("eventLoops", "a whole number 1-" + ListenerConfig.MAX_EVENT_LOOPS);
    Val<Boolean> verifyTargets = o.bool("verifyTargetCertificates");
    Val<String> trustStore = o.string("targetTrustStore");
    Build<ListenerConfig.Builder, ListenerConfig> p = new Build<>(ctx, o.path(), o.node(), ListenerConfig::builder,
        ListenerConfig.Builder::build);
    if (!port.present()) {
      p.fail();
    }
    p.set("host", host, ListenerConfig.Builder::host)
        .set("port", port, (b, v) -> b.port(Values.clamp(v)))
        .set("name", new Val<>(name.path(), name.node(), nameOk ? name.value() : null, false),
            ListenerConfig.Builder::name)
        .set("localZone", new Val<>(zoneField.path(), zoneField.node(), zone, false),
            ListenerConfig.Builder::localZone)
        .set("idleTimeout", new Val<>(idle.path(), idle.node(), idle.present() ? idleTimeout : null,
            idle.invalid()), ListenerConfig.Builder::idleTimeout)
        .set("connectTimeout", new Val<>(connect.path(), connect.node(), connect.present() ? connectTimeout : null,
            connect.invalid()), ListenerConfig.Builder::connectTimeout)
        .set("retryIdempotent", retry, ListenerConfig.Builder::retryIdempotent)
        .set("maxConnectionsPerTarget", maxConns, (b, v) -> b.maxConnectionsPerTarget(Values.clamp(v)))
        .set("eventLoops", eventLoops, (b, v) -> b.eventLoops(Values.clamp(v)))
        .set("maxConnections", maxClientConns, (b, v) -> b.maxConnections(Values.clamp(v)))
        .set("desyncMitigationMode", desync, (b, v) -> b.desyncMitigationMode(DesyncMitigationMode.fromAlbName(v)))
        .set("dropInvalidHeaderFields", dropInvalid, ListenerConfig.Builder::dropInvalidHeaderFields)
        .set("tls", tls, ListenerConfig.Builder::tls)
        .set("preserveHostHeader", preserveHost, ListenerConfig.Builder::preserveHostHeader)
        .set("verifyTargetCertificates", verifyTargets, ListenerConfig.Builder::verifyTargetCertificates)
        .set("targetTrustStorePath", trustStore, ListenerConfig.Builder::targetTrustStorePath)
        .set("retryPolicy", new Val<>(o.path("retry"), o.node(), retryPolicy, retryPolicy == null),
            ListenerConfig.Builder::retryPolicy)
        .set("groupStickinessKeys", new Val<>(o.path(), o.node(), s.stickinessKeys, false),
            ListenerConfig.Builder::groupStickinessKeys);
    ListenerConfig config = p.build();
    RuleLimits limits = ruleLimits(o.object("ruleLimits"));
    RuleSet rules = s.rules.rules(o, defaults, limits == null ? RuleLimits.alb() : limits);
    o.rejectUnknown();
    if (!nameOk || config == null || rules == null || limits == null || !zoneOk || accessLog.invalid()
        || tls.invalid()) {
      return null;
    }
    return new ListenerSpec(name.value(), ListenerSpec.Protocol.HTTP, h, config.port(), config, rules, null,
        idleTimeout, connectTimeout, zone, config.retryPolicy(), accessLog.value());
  }

  /**
   * Binds {@code retry}: {@code maxAttempts} (1-10), and for HTTP listeners {@code budgetRatio} (0-1) and
   * {@code budgetMinPerSecond} (0-100000); null (reported) when a value is refused.
   */
  private RetryPolicy retryPolicy(Obj o, boolean tcp) {
    if (o == null) {
      return RetryPolicy.defaults();
    }
    Build<RetryPolicy.Builder, RetryPolicy> p = new Build<>(ctx, o.path(), o.node(), RetryPolicy::builder,
        RetryPolicy.Builder::build);
    p.set("maxAttempts", o.integer("maxAttempts", "a whole number 1-10"),
        (b, v) -> b.maxAttempts(Values.clamp(v)));
    if (!tcp) {
      p.set("budgetRatio", o.number("budgetRatio", "a number 0-1"), (b, v) -> b.budgetRatio(v.doubleValue()));
      p.set("budgetMinPerSecond", o.integer("budgetMinPerSecond", "a whole number 0-100000"),
          (b, v) -> b.budgetMinPerSecond(Values.clamp(v)));
    }
    o.rejectUnknown();
    return p.build();
  }

  /** Checks a listener name as the listeners do (loop errors and describe output show it). */
  private boolean listenerName(Val<String> name) {
    if (!name.present()) {
      return false;
    }
    try {
      ListenerConfig.builder().name(name.value()).build();
      return true;
    } catch (IllegalArgumentException e) {
      ctx.error(name.node(), name.path(), name.render() + " (expected: 1-128 letters, digits, -, _, . and :)");
      return false;
    }
  }

  private RuleLimits ruleLimits(Obj o) {
    if (o == null) {
      return RuleLimits.alb();
    }
    // RuleLimits refuses with a plain message: each limit is checked here, so the error has its position
    Build<RuleLimits.Builder, RuleLimits> p = new Build<>(ctx, o.path(), o.node(), RuleLimits::builder,
        RuleLimits.Builder::build);
    p.set("maxRules", atLeastOne(o, "maxRules"), (b, v) -> b.maxRules(Values.clamp(v)))
        .set("maxValuesPerCondition", atLeastOne(o, "maxValuesPerCondition"),
            (b, v) -> b.maxValuesPerCondition(Values.clamp(v)))
        .set("maxValuesPerRule", atLeastOne(o, "maxValuesPerRule"), (b, v) -> b.maxValuesPerRule(Values.clamp(v)))
        .set("maxWildcardsPerRule", atLeastOne(o, "maxWildcardsPerRule"),
            (b, v) -> b.maxWildcardsPerRule(Values.clamp(v)))
        .set("maxPatternLength", atLeastOne(o, "maxPatternLength"), (b, v) -> b.maxPatternLength(Values.clamp(v)));
    o.rejectUnknown();
    return p.build();
  }

  private Val<Long> atLeastOne(Obj o, String key) {
    Val<Long> v = o.integer(key, "a whole number >= 1");
    if (v.present() && (v.value() < 1 || v.value() > Integer.MAX_VALUE)) {
      ctx.error(v.node(), v.path(), v.render() + " (expected: >= 1)");
      return new Val<>(v.path(), v.node(), null, true);
    }
    return v;
  }
}
