package dev.loadstar.gateway.internal.config;

import java.util.ArrayList;
import dev.loadstar.core.spi.BalancingAlgorithmProvider;
import dev.loadstar.core.config.Checks;

import dev.loadstar.core.BalancingAlgorithm;
import dev.loadstar.core.HashKey;
import dev.loadstar.core.Stickiness;
import dev.loadstar.core.StickinessKeys;
import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.core.discovery.DiscoveryConfig;
import dev.loadstar.gateway.config.TargetGroupSpec;
import dev.loadstar.gateway.config.TargetSpec;
import dev.loadstar.healthcheck.HealthCheck;
import dev.loadstar.healthcheck.OutlierDetection;
import java.time.Duration;
import java.util.List;

/**
 * Binds {@code targetGroups[]}: name, protocol and protocol version, ALB's attributes, then health checks, targets and
 * discovery.
 */
final class TargetGroupBinder {

  private final Scope s;
  private final Context ctx;
  private static final List<String> ALGORITHM_KEYS = List.of("load_balancing.algorithm.type",
      "load_balancing.algorithm.anomaly_mitigation", "slow_start.duration_seconds",
      "deregistration_delay.timeout_seconds", "stickiness.enabled", "stickiness.type",
      "stickiness.lb_cookie.duration_seconds", "stickiness.app_cookie.cookie_name",
      "stickiness.app_cookie.duration_seconds",
      "target_group_health.unhealthy_state_routing.minimum_healthy_targets.count",
      "target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage",
      "load_balancing.cross_zone.enabled", "load_balancing.hash_key");
  private static final String CROSS_ZONE = "load_balancing.cross_zone.enabled";
  private static final String NAME_EXPECTED = "1-32 letters, digits and hyphens";

  TargetGroupBinder(Scope s) {
    this.s = s;
    this.ctx = s.ctx();
  }

  /** The mutable inputs of a TargetGroupConfig, built in ALB's order. */
  private static final class TgDraft {
    String name = "placeholder";
    String protocol;
    String protocolVersion;
    String algorithm;
    Boolean mitigation;
    Long slowStart;
    Long deregistrationDelay;
    Boolean stickinessEnabled;
    String stickinessType;
    Long lbCookieDuration;
    String appCookieName;
    Long appCookieDuration;
    Long minimumCount;
    Long minimumPercentage;
    Boolean failOpen;
    Boolean crossZone;
    String hashKey;
    boolean healthCheckEnabled = true;
    StickinessKeys keys;

    TargetGroupConfig build() {
      TargetGroupConfig.Builder b = TargetGroupConfig.builder(name);
      if (protocol != null) {
        b.protocol(TargetGroupConfig.Protocol.valueOf(protocol));
      }
      if (protocolVersion != null) {
        b.protocolVersion(TargetGroupConfig.ProtocolVersion.valueOf(protocolVersion));
      }
      BalancingAlgorithm a = BalancingAlgorithm.byName(algorithm == null ? "round_robin" : algorithm);
      if (Boolean.TRUE.equals(mitigation)) {
        if (!a.name().equals("weighted_random")) {
          throw Checks.invalid("load_balancing.algorithm.anomaly_mitigation", "on",
              "off unless load_balancing.algorithm.type is weighted_random");
        }
        a = BalancingAlgorithm.weightedRandom(true);
      }
      b.algorithm(a);
      if (slowStart != null) {
        b.slowStart(Duration.ofSeconds(slowStart));
      }
      if (deregistrationDelay != null) {
        b.deregistrationDelay(Duration.ofSeconds(deregistrationDelay));
      }
      Stickiness lb = Stickiness.lbCookie(Duration.ofSeconds(lbCookieDuration == null ? 86_400 : lbCookieDuration));
      Stickiness app = null;
      if (appCookieName != null || "app_cookie".equals(stickinessType)) {
        app = Stickiness.appCookie(appCookieName,
            Duration.ofSeconds(appCookieDuration == null ? 86_400 : appCookieDuration));
      } else if (appCookieDuration != null) {
        Stickiness.appCookie("probe", Duration.ofSeconds(appCookieDuration));
      }
      if (Boolean.TRUE.equals(stickinessEnabled)) {
        Stickiness s = "app_cookie".equals(stickinessType) ? app : lb;
        b.stickiness(keys == null ? s : s.withKeys(keys));
      }
      if (minimumCount != null) {
        b.minimumHealthyTargetsCount(Values.clamp(minimumCount));
      }
      if (minimumPercentage != null) {
        b.minimumHealthyTargetsPercentage(Values.clamp(minimumPercentage));
      }
      if (failOpen != null) {
        b.failOpen(failOpen);
      }
      b.healthCheckEnabled(healthCheckEnabled);
      if (crossZone != null) {
        b.crossZoneEnabled(crossZone);
      }
      if (hashKey != null) {
        b.hashKey(HashKey.parse(hashKey));
      }
      return b.build();
    }
  }

  TargetGroupSpec targetGroup(Obj o) {
    Val<String> name = o.require(o.string("name"), "a target group name: " + NAME_EXPECTED);
    if (name.present()) {
      String first = s.groupNames.putIfAbsent(name.value(), o.path());
      if (first != null) {
        ctx.error(name.node(), name.path(), name.render() + " (expected: a name no other target group uses; "
            + first + " has it)");
      }
    }
    Val<String> protocol = o.choice("protocol", List.of("HTTP", "HTTPS"));
    Val<String> protocolVersion = o.choice("protocolVersion", List.of("HTTP1", "HTTP2", "GRPC"));
    Obj hc = o.object("healthCheck");
    Val<Boolean> hcEnabled = hc == null ? new Val<>(o.path("healthCheck.enabled"), null, null, false)
        : hc.bool("enabled");
    Val<Boolean> failOpen = o.bool("failOpen");
    Build<TgDraft, TargetGroupConfig> p = new Build<>(ctx, o.path(), o.node(), TgDraft::new, TgDraft::build);
    if (!name.present()) {
      p.fail();
    }
    p.set("name", name, (d, v) -> d.name = v)
        .set("protocol", protocol, (d, v) -> d.protocol = v)
        .set("protocolVersion", protocolVersion, (d, v) -> d.protocolVersion = v)
        .set("failOpen", failOpen, (d, v) -> d.failOpen = v)
        .set("healthCheckEnabled", hcEnabled, (d, v) -> d.healthCheckEnabled = v);
    Obj attrs = o.object("attributes");
    if (attrs != null) {
      String a = "load_balancing.algorithm.type";
      p.set(a, attrs.choice(a, algorithmNames()), (d, v) -> d.algorithm = v);
      p.set("load_balancing.algorithm.anomaly_mitigation", onOff(attrs, "load_balancing.algorithm.anomaly_mitigation"),
          (d, v) -> d.mitigation = v);
      p.set("slow_start.duration_seconds", attrs.integer("slow_start.duration_seconds", true,
          "a whole number of seconds: 0 (off) or 30-900"), (d, v) -> d.slowStart = v);
      p.set("deregistration_delay.timeout_seconds", attrs.integer("deregistration_delay.timeout_seconds", true,
          "a whole number of seconds 0-3600"), (d, v) -> d.deregistrationDelay = v);
      p.set("stickiness.enabled", attrs.bool("stickiness.enabled", true), (d, v) -> d.stickinessEnabled = v);
      p.set("stickiness.type", choiceLenient(attrs, "stickiness.type", List.of("lb_cookie", "app_cookie")),
          (d, v) -> d.stickinessType = v);
      p.set("stickiness.lb_cookie.duration_seconds", attrs.integer("stickiness.lb_cookie.duration_seconds", true,
          "a whole number of seconds 1-604800"), (d, v) -> d.lbCookieDuration = v);
      p.set("stickiness.app_cookie.cookie_name", attrs.string("stickiness.app_cookie.cookie_name"),
          (d, v) -> d.appCookieName = v);
      p.set("stickiness.app_cookie.duration_seconds", attrs.integer("stickiness.app_cookie.duration_seconds", true,
          "a whole number of seconds 1-604800"), (d, v) -> d.appCookieDuration = v);
      String count = "target_group_health.unhealthy_state_routing.minimum_healthy_targets.count";
      p.set(count, attrs.integer(count, true, "a whole number >= 1"), (d, v) -> d.minimumCount = v);
      String pct = "target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage";
      p.set(pct, percentage(attrs, pct), (d, v) -> d.minimumPercentage = v);
      p.set(CROSS_ZONE, crossZone(attrs), (d, v) -> d.crossZone = v);
      p.set("load_balancing.hash_key", attrs.string("load_balancing.hash_key"), (d, v) -> d.hashKey = v);
      for (String k : ALGORITHM_KEYS) {
        attrs.raw(k);
      }
      attrs.rejectUnknown();
    }
    p.set("stickiness.keys", new Val<>(o.path(), o.node(), s.stickinessKeys, false), (d, v) -> d.keys = v);
    TargetGroupConfig config = p.build();

    boolean grpc = "GRPC".equals(protocolVersion.value());
    HealthCheck healthCheck = hc == null ? HealthCheckBinder.defaults(grpc) : s.healthChecks.healthCheck(hc, grpc);
    OutlierDetection outlier = s.healthChecks.outlierDetection(o.object("outlierDetection"));
    List<TargetSpec> targets = s.targets.targets(o, name.value());
    if (targets != null && protocolVersion.present() && !protocolVersion.value().equals("HTTP1")
        && !networkTargets(o, targets, protocolVersion)) {
      targets = null;
    }
    DiscoveryConfig discovery = s.discovery.discovery(o);
    o.rejectUnknown();
    if (config == null || healthCheck == null || outlier == null || targets == null) {
      return null;
    }
    return new TargetGroupSpec(config, targets, healthCheck, outlier, discovery);
  }

  /**
   * Whether every target of an HTTP/2 or gRPC group is an {@code instance} or {@code ip} target (ALB's rule: no
   * Lambda or ALB targets with {@code ProtocolVersion} {@code HTTP2} or {@code GRPC}); each other one is reported.
   */
  private boolean networkTargets(Obj o, List<TargetSpec> targets, Val<String> version) {
    boolean ok = true;
    List<Node> nodes = o.list("targets");
    for (TargetSpec t : targets) {
      if (t.kind() == Target.Kind.FUNCTION || t.kind() == Target.Kind.BALANCER) {
        int i = Integer.parseInt(t.path().substring(t.path().lastIndexOf('[') + 1, t.path().length() - 1));
        Node at = nodes != null && i < nodes.size() ? nodes.get(i) : o.node();
        ctx.error(at, t.path(), (t.kind() == Target.Kind.FUNCTION ? "a lambda" : "an alb") + " target (expected: "
            + "instance or ip targets in a group with protocolVersion " + version.value() + ")");
        ok = false;
      }
    }
    return ok;
  }

  private Val<Boolean> onOff(Obj attrs, String key) {
    Node n = attrs.raw(key);
    if (n != null && n.kind() == Node.Kind.STRING) {
      String s = (String) n.value();
      if (s.equals("on") || s.equals("off")) {
        return new Val<>(attrs.path(key), n, s.equals("on"), false);
      }
      ctx.error(n, attrs.path(key), n.render() + " (expected: on or off)");
      return new Val<>(attrs.path(key), n, null, true);
    }
    if (n != null && n.kind() != Node.Kind.BOOLEAN && n.kind() != Node.Kind.INVALID) {
      ctx.error(n, attrs.path(key), n.render() + " (expected: on or off)");
      return new Val<>(attrs.path(key), n, null, true);
    }
    return attrs.bool(key);
  }

  private Val<String> choiceLenient(Obj o, String key, List<String> allowed) {
    return o.choice(key, allowed);
  }

  /** ALB's values: {@code true}, {@code false}, {@code use_load_balancer_configuration} (on: ALB's is always on). */
  private Val<Boolean> crossZone(Obj attrs) {
    Node n = attrs.raw(CROSS_ZONE);
    String path = attrs.path(CROSS_ZONE);
    if (n == null || n.kind() == Node.Kind.INVALID) {
      return new Val<>(path, n, null, n != null);
    }
    if (n.kind() == Node.Kind.BOOLEAN) {
      return new Val<>(path, n, (Boolean) n.value(), false);
    }
    List<String> allowed = List.of("true", "false", "use_load_balancer_configuration");
    if (n.kind() == Node.Kind.STRING && allowed.contains((String) n.value())) {
      return new Val<>(path, n, !n.value().equals("false"), false);
    }
    ctx.error(n, path, n.render() + " (expected: one of " + String.join(", ", allowed)
        + (n.kind() == Node.Kind.STRING ? Names.suggestion((String) n.value(), allowed) : "") + ")");
    return new Val<>(path, n, null, true);
  }

  private Val<Long> percentage(Obj attrs, String key) {
    Node n = attrs.raw(key);
    if (n != null && n.kind() == Node.Kind.STRING && n.value().equals("off")) {
      return new Val<>(attrs.path(key), n, 0L, false);
    }
    return attrs.integer(key, true, "off or 1-100");
  }

  /** The algorithms {@code load_balancing.algorithm.type} may name: the built-ins, then the providers found. */
  private static List<String> algorithmNames() {
    return BalancingAlgorithmProvider.registry().names();
  }
}
