package dev.loadstar.gateway.internal.config;

import dev.loadstar.core.config.Checks;
import dev.loadstar.core.Balancer;
import dev.loadstar.core.BalancingAlgorithm;
import dev.loadstar.core.FunctionResponse;
import dev.loadstar.core.Stickiness;
import dev.loadstar.core.StickinessKeys;
import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetFunction;
import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.core.discovery.DiscoveryConfig;
import dev.loadstar.healthcheck.HealthCheck;
import dev.loadstar.healthcheck.OutlierDetection;
import dev.loadstar.routing.Action;
import dev.loadstar.routing.Condition;
import dev.loadstar.routing.ListenerConfig;
import dev.loadstar.routing.Rule;
import dev.loadstar.routing.RuleLimits;
import dev.loadstar.routing.RuleSet;
import dev.loadstar.gateway.admin.AdminServer;
import dev.loadstar.gateway.config.AdminSettings;
import dev.loadstar.gateway.FunctionRegistry;
import dev.loadstar.gateway.config.GatewayConfig;
import dev.loadstar.gateway.config.ListenerSpec;
import dev.loadstar.gateway.config.ScalingGroupSpec;
import dev.loadstar.gateway.config.TargetGroupSpec;
import dev.loadstar.gateway.config.TargetSpec;
import dev.loadstar.scaling.HealthCheckType;
import dev.loadstar.scaling.LaunchTemplate;
import dev.loadstar.scaling.ScalingGroupConfig;
import dev.loadstar.scaling.ScalingPolicy;
import dev.loadstar.scaling.TerminationPolicy;
import dev.loadstar.scaling.spi.InstanceProvider;
import dev.loadstar.scaling.providers.InProcessProvider;
import dev.loadstar.scaling.providers.ProcessProvider;
import dev.loadstar.scaling.spi.InstanceProviderFactory;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.DoubleSupplier;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a parsed configuration into a {@link GatewayConfig}, reporting every error to the {@link Context}: types
 * and unknown fields here, values through the library builders (see {@link Probe}), then references between
 * sections (forwards and attachments to undefined target groups, duplicate names, port clashes).
 */
public final class Validator {

  private static final List<String> ALGORITHM_KEYS = List.of("load_balancing.algorithm.type",
      "load_balancing.algorithm.anomaly_mitigation", "slow_start.duration_seconds",
      "deregistration_delay.timeout_seconds", "stickiness.enabled", "stickiness.type",
      "stickiness.lb_cookie.duration_seconds", "stickiness.app_cookie.cookie_name",
      "stickiness.app_cookie.duration_seconds",
      "target_group_health.unhealthy_state_routing.minimum_healthy_targets.count",
      "target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage",
      "load_balancing.cross_zone.enabled");
  private static final String CROSS_ZONE = "load_balancing.cross_zone.enabled";
  private static final List<String> TARGET_TYPES = List.of("instance", "ip", "lambda", "alb", "function",
      "balancer");
  /** Stands in for a named function while a function target is validated (the runtime resolves the name). */
  private static final TargetFunction PLACEHOLDER_FUNCTION = r -> Future.succeededFuture(FunctionResponse.of(200));
  /** Stands in for a named listener or group while a balancer target is validated. */
  private static final Balancer PLACEHOLDER_BALANCER = new Balancer() {
    @Override
    public String balancerType() {
      return "target group";
    }

    @Override
    public String balancerName() {
      return "placeholder";
    }

    @Override
    public Collection<? extends Balancer> downstream() {
      return List.of();
    }
  };
  private static final List<String> CONDITION_FIELDS = List.of("host-header", "path-pattern", "http-header",
      "http-request-method", "query-string", "source-ip", "listener-port");
  private static final List<String> ACTION_TYPES = List.of("forward", "redirect", "fixed-response");
  private static final Pattern RULE_ERROR = Pattern.compile("rule \"(.*?)\" ([^:]+): (.*)", Pattern.DOTALL);
  private static final String NAME_EXPECTED = "1-32 letters, digits and hyphens";

  private final Context ctx;
  /** Target group names to their path, for references. */
  private final Map<String, String> groupNames = new LinkedHashMap<>();
  /** References to target groups, checked once every group is known. */
  private final List<Val<String>> groupRefs = new ArrayList<>();
  /** Listener names to their path, for references from balancer targets. */
  private final Map<String, String> listenerNames = new LinkedHashMap<>();
  /** References to listeners (balancer targets), checked once every listener is known. */
  private final List<Val<String>> listenerRefs = new ArrayList<>();
  /** Balancer targets, the edges from groups to listeners and groups, in file order (for loops). */
  private final List<BalancerEdge> balancerEdges = new ArrayList<>();
  /** The names of the functions function targets may use. */
  private final Set<String> functions;
  private StickinessKeys stickinessKeys;
  private String gatewayZone;

  /** A balancer target of group {@code group} naming a listener or a target group ({@code ref}). */
  private record BalancerEdge(String group, Val<String> ref, boolean toListener) {
  }

  private Validator(Context ctx, Set<String> functions) {
    this.ctx = ctx;
    this.functions = functions;
  }

  /** Validates the root node; returns the configuration (meaningful only when the context has no errors). */
  public static GatewayConfig validate(Context ctx, Node root, String source) {
    return validate(ctx, root, source, FunctionRegistry.builtIn().names());
  }

  /** As {@link #validate(Context, Node, String)}; function targets may name any of {@code functions}. */
  public static GatewayConfig validate(Context ctx, Node root, String source, Set<String> functions) {
    return new Validator(ctx, functions).root(root, source);
  }

  // ---- root ------------------------------------------------------------------------------------------------------

  private GatewayConfig root(Node rootNode, String source) {
    Obj root = Obj.of(ctx, "", rootNode);
    if (root == null) {
      if (rootNode.kind() == Node.Kind.NULL) {
        ctx.error(rootNode, "", "the file is empty (expected: an object with listeners, targetGroups, ...)");
      }
      return null;
    }
    stickinessKeys = stickinessKeys(root);
    AdminSettings admin = admin(root.object("admin"), root.path("admin"));
    gatewayZone = zone(root.string("zone"));
    List<TargetGroupSpec> groups = new ArrayList<>();
    List<Node> tgs = root.list("targetGroups");
    if (tgs != null) {
      for (int i = 0; i < tgs.size(); i++) {
        Obj o = Obj.of(ctx, Paths.item("targetGroups", i), tgs.get(i));
        TargetGroupSpec g = o == null ? null : targetGroup(o);
        if (g != null) {
          groups.add(g);
        }
      }
    }
    List<ListenerSpec> listeners = new ArrayList<>();
    List<Node> ls = root.list("listeners");
    if (ls == null && !root.has("listeners")) {
      root.missing("listeners", "a list of listeners");
    } else if (ls != null && ls.isEmpty()) {
      ctx.error(root.raw("listeners"), "listeners", "[] (expected: at least one listener)");
    }
    List<Bind> binds = new ArrayList<>();
    if (ls != null) {
      for (int i = 0; i < ls.size(); i++) {
        Obj o = Obj.of(ctx, Paths.item("listeners", i), ls.get(i));
        if (o != null) {
          ListenerSpec l = listener(o, listenerNames, binds);
          if (l != null) {
            listeners.add(l);
          }
        }
      }
    }
    if (admin == null || admin.enabled()) {
      Node at = root.raw("admin");
      Node portNode = at != null && at.kind() == Node.Kind.OBJECT && at.fields().get("port") != null
          ? at.fields().get("port") : at;
      binds.add(new Bind("admin.port", portNode, admin == null ? "127.0.0.1" : admin.host(),
          admin == null ? AdminSettings.DEFAULT_PORT : admin.port(), "the admin API"));
    }
    checkPorts(binds);
    List<ScalingGroupSpec> scaling = new ArrayList<>();
    List<Node> sgs = root.list("scalingGroups");
    if (sgs != null) {
      Map<String, String> names = new HashMap<>();
      for (int i = 0; i < sgs.size(); i++) {
        Obj o = Obj.of(ctx, Paths.item("scalingGroups", i), sgs.get(i));
        if (o != null) {
          ScalingGroupSpec s = scalingGroup(o, names);
          if (s != null) {
            scaling.add(s);
          }
        }
      }
    }
    root.rejectUnknown();
    for (Val<String> ref : groupRefs) {
      if (!groupNames.containsKey(ref.value())) {
        ctx.error(ref.node(), ref.path(), ref.render() + " (expected: the name of a target group defined under "
            + "targetGroups" + (groupNames.isEmpty() ? "" : " (" + String.join(", ", groupNames.keySet()) + ")")
            + Names.suggestion(ref.value(), groupNames.keySet()) + ")");
      }
    }
    for (Val<String> ref : listenerRefs) {
      if (!listenerNames.containsKey(ref.value())) {
        ctx.error(ref.node(), ref.path(), ref.render() + " (expected: the name of a listener defined under listeners"
            + (listenerNames.isEmpty() ? "" : " (" + String.join(", ", listenerNames.keySet()) + ")")
            + Names.suggestion(ref.value(), listenerNames.keySet()) + ")");
      }
    }
    checkLoops(listeners);
    return new GatewayConfig(source, admin == null ? new AdminSettings(true, "127.0.0.1",
        AdminSettings.DEFAULT_PORT, null, List.of()) : admin, groups, listeners, scaling, gatewayZone);
  }

  /** A zone name: non-blank; null when absent or invalid (reported). */
  private String zone(Val<String> zone) {
    if (zone.present() && zone.value().isBlank()) {
      ctx.error(zone.node(), zone.path(), zone.render() + " (expected: an availability zone name, e.g. eu-west-1a)");
      return null;
    }
    return zone.value();
  }

  // ---- loops -----------------------------------------------------------------------------------------------------

  private static String groupNode(String name) {
    return "g:" + name;
  }

  private static String listenerNode(String name) {
    return "l:" + name;
  }

  /**
   * Reports every loop of the balancer graph once, at the first balancer target (in file order) on it: listeners
   * forward to target groups (rules, default actions, a TCP listener's group), and groups hand requests to the
   * listeners and groups their balancer targets name.
   */
  private void checkLoops(List<ListenerSpec> listeners) {
    if (balancerEdges.isEmpty()) {
      return;
    }
    Map<String, Set<String>> graph = new HashMap<>();
    for (ListenerSpec l : listeners) {
      Set<String> next = graph.computeIfAbsent(listenerNode(l.name()), k -> new LinkedHashSet<>());
      if (l.tcpTargetGroup() != null) {
        next.add(groupNode(l.tcpTargetGroup()));
      }
      if (l.rules() != null) {
        List<Rule> all = new ArrayList<>(l.rules().rules());
        all.add(l.rules().defaultRule());
        for (Rule r : all) {
          if (r.action().type() == Action.Type.FORWARD) {
            for (Action.WeightedGroup g : r.action().targetGroups()) {
              next.add(groupNode(g.name()));
            }
          }
        }
      }
    }
    for (BalancerEdge e : balancerEdges) {
      graph.computeIfAbsent(groupNode(e.group()), k -> new LinkedHashSet<>())
          .add(e.toListener() ? listenerNode(e.ref().value()) : groupNode(e.ref().value()));
    }
    Set<String> reported = new HashSet<>();
    for (BalancerEdge e : balancerEdges) {
      String from = groupNode(e.group());
      String to = e.toListener() ? listenerNode(e.ref().value()) : groupNode(e.ref().value());
      List<String> path = new ArrayList<>();
      if (!dfs(graph, to, from, path, new HashSet<>())) {
        continue;
      }
      List<String> cycle = new ArrayList<>();
      cycle.add(from);
      cycle.addAll(path);
      if (reported.add(String.join(",", new TreeSet<>(cycle)))) {
        ctx.error(e.ref().node(), e.ref().path(), e.ref().render() + " (expected: no loop; " + describe(cycle) + ")");
      }
    }
  }

  private static boolean dfs(Map<String, Set<String>> graph, String at, String goal, List<String> path,
      Set<String> seen) {
    path.add(at);
    if (at.equals(goal)) {
      return true;
    }
    if (seen.add(at)) {
      for (String next : graph.getOrDefault(at, Set.of())) {
        if (dfs(graph, next, goal, path, seen)) {
          return true;
        }
      }
    }
    path.remove(path.size() - 1);
    return false;
  }

  /** {@code target group web -> listener edge -> target group web}: the type written when it changes, as core does. */
  private static String describe(List<String> cycle) {
    StringBuilder b = new StringBuilder();
    String previous = null;
    for (String n : cycle) {
      String type = n.startsWith("g:") ? "target group" : "listener";
      if (previous != null) {
        b.append(" -> ");
      }
      if (!type.equals(previous)) {
        b.append(type).append(' ');
      }
      b.append(n.substring(2));
      previous = type;
    }
    return b.toString();
  }

  private StickinessKeys stickinessKeys(Obj root) {
    List<Val<String>> secrets = root.strings("stickinessSecrets");
    if (secrets == null || secrets.isEmpty()) {
      return null;
    }
    StickinessKeys keys = null;
    boolean ok = true;
    for (int i = 0; i < secrets.size(); i++) {
      Val<String> s = secrets.get(i);
      int bytes = s.value().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
      if (bytes < StickinessKeys.MIN_KEY_BYTES) {
        ctx.error(s.node(), s.path(), "<" + bytes + " bytes> (expected: at least " + StickinessKeys.MIN_KEY_BYTES
            + " bytes)");
        ok = false;
      }
    }
    if (ok) {
      keys = StickinessKeys.of(secrets.stream().map(Val::value).toArray(String[]::new));
    }
    return keys;
  }

  // ---- admin -----------------------------------------------------------------------------------------------------

  private AdminSettings admin(Obj o, String path) {
    if (o == null) {
      return null;
    }
    Val<Boolean> enabled = o.bool("enabled");
    Val<String> host = o.string("host");
    Val<Long> port = o.integer("port", "a port 0-65535");
    Val<String> token = o.string("token");
    List<Val<String>> allowed = o.strings("allowedHosts");
    o.rejectUnknown();
    String h = host.or("127.0.0.1");
    String t = token.present() && !token.value().isEmpty() ? token.value() : null;
    int p = AdminSettings.DEFAULT_PORT;
    if (port.present()) {
      if (port.value() < 0 || port.value() > 65535) {
        ctx.error(port.node(), port.path(), port.render() + " (expected: 0-65535)");
      } else {
        p = port.value().intValue();
      }
    }
    if (host.present() && h.isBlank()) {
      ctx.error(host.node(), host.path(), host.render() + " (expected: an address to bind, such as 127.0.0.1)");
    } else if (t == null && !AdminServer.isLoopback(h) && enabled.or(true)) {
      ctx.error(host.node() != null ? host.node() : o.node(), Paths.child(path, "host"), "\"" + h
          + "\" (expected: a loopback address (127.0.0.1, ::1, localhost) unless admin.token is set: "
          + "the admin API changes the gateway)");
    }
    List<String> hosts = new ArrayList<>();
    if (allowed != null) {
      for (Val<String> a : allowed) {
        if (a.value().isBlank() || a.value().contains(":") && !a.value().contains("::")) {
          ctx.error(a.node(), a.path(), a.render() + " (expected: a host name or address without a port)");
        } else {
          hosts.add(a.value());
        }
      }
    }
    return new AdminSettings(enabled.or(true), h, p, t, List.copyOf(hosts));
  }


  // ---- target groups ---------------------------------------------------------------------------------------------

  /** The mutable inputs of a TargetGroupConfig, built in ALB's order. */
  private static final class TgDraft {
    String name = "placeholder";
    String protocol;
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
    boolean healthCheckEnabled = true;
    StickinessKeys keys;

    TargetGroupConfig build() {
      TargetGroupConfig.Builder b = TargetGroupConfig.builder(name);
      if (protocol != null) {
        b.protocol(TargetGroupConfig.Protocol.valueOf(protocol));
      }
      BalancingAlgorithm a = BalancingAlgorithm.byName(algorithm == null ? "round_robin" : algorithm);
      if (Boolean.TRUE.equals(mitigation)) {
        if (!a.name().equals("weighted_random")) {
          throw invalid("load_balancing.algorithm.anomaly_mitigation", "on",
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
        b.minimumHealthyTargetsCount(clamp(minimumCount));
      }
      if (minimumPercentage != null) {
        b.minimumHealthyTargetsPercentage(clamp(minimumPercentage));
      }
      if (failOpen != null) {
        b.failOpen(failOpen);
      }
      b.healthCheckEnabled(healthCheckEnabled);
      if (crossZone != null) {
        b.crossZoneEnabled(crossZone);
      }
      return b.build();
    }
  }

  private TargetGroupSpec targetGroup(Obj o) {
    Val<String> name = o.require(o.string("name"), "a target group name: " + NAME_EXPECTED);
    if (name.present()) {
      String first = groupNames.putIfAbsent(name.value(), o.path());
      if (first != null) {
        ctx.error(name.node(), name.path(), name.render() + " (expected: a name no other target group uses; "
            + first + " has it)");
      }
    }
    Val<String> protocol = o.choice("protocol", List.of("HTTP", "HTTPS"));
    Obj hc = o.object("healthCheck");
    Val<Boolean> hcEnabled = hc == null ? new Val<>(o.path("healthCheck.enabled"), null, null, false)
        : hc.bool("enabled");
    Val<Boolean> failOpen = o.bool("failOpen");
    Probe<TgDraft, TargetGroupConfig> p = new Probe<>(ctx, o.path(), o.node(), TgDraft::new, TgDraft::build);
    if (!name.present()) {
      p.fail();
    }
    p.set("name", name, (d, v) -> d.name = v)
        .set("protocol", protocol, (d, v) -> d.protocol = v)
        .set("failOpen", failOpen, (d, v) -> d.failOpen = v)
        .set("healthCheckEnabled", hcEnabled, (d, v) -> d.healthCheckEnabled = v);
    Obj attrs = o.object("attributes");
    if (attrs != null) {
      String a = "load_balancing.algorithm.type";
      p.set(a, attrs.string(a), (d, v) -> d.algorithm = v);
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
      for (String k : ALGORITHM_KEYS) {
        attrs.raw(k);
      }
      attrs.rejectUnknown();
    }
    p.set("stickiness.keys", new Val<>(o.path(), o.node(), stickinessKeys, false), (d, v) -> d.keys = v);
    TargetGroupConfig config = p.build();

    HealthCheck healthCheck = hc == null ? HealthCheck.defaults() : healthCheck(hc);
    OutlierDetection outlier = outlierDetection(o.object("outlierDetection"));
    List<TargetSpec> targets = targets(o, name.value());
    DiscoveryConfig discovery = discovery(o);
    o.rejectUnknown();
    if (config == null || healthCheck == null || outlier == null || targets == null) {
      return null;
    }
    return new TargetGroupSpec(config, targets, healthCheck, outlier, discovery);
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

  private HealthCheck healthCheck(Obj hc) {
    Probe<HealthCheck.Builder, HealthCheck> p = new Probe<>(ctx, hc.path(), hc.node(), HealthCheck::builder,
        HealthCheck.Builder::build)
        .word("embedded(true)", "embedded: true");
    p.set("HealthCheckProtocol", hc.choice("protocol", List.of("HTTP", "HTTPS", "TCP", "GRPC")),
        (b, v) -> b.protocol(HealthCheck.Protocol.valueOf(v)));
    Node portNode = hc.raw("port");
    Val<Object> port = new Val<>(hc.path("port"), portNode, null, false);
    if (portNode != null && portNode.kind() != Node.Kind.INVALID) {
      if (portNode.kind() == Node.Kind.INTEGER) {
        port = new Val<>(port.path(), portNode, portNode.value(), false);
      } else if (portNode.kind() == Node.Kind.STRING && portNode.value().equals(HealthCheck.TRAFFIC_PORT)) {
        port = new Val<>(port.path(), portNode, HealthCheck.TRAFFIC_PORT, false);
      } else if (portNode.kind() == Node.Kind.STRING && ((String) portNode.value()).matches("[0-9]{1,9}")) {
        port = new Val<>(port.path(), portNode, Long.parseLong((String) portNode.value()), false);
      } else {
        ctx.error(portNode, port.path(), portNode.render() + " (expected: traffic-port or 1-65535)");
        port = new Val<>(port.path(), portNode, null, true);
      }
    }
    p.set("HealthCheckPort", port, (b, v) -> {
      if (v instanceof Long l) {
        b.port(clamp(l));
      } else {
        b.trafficPort();
      }
    });
    p.set("HealthCheckPath", hc.string("path"), HealthCheck.Builder::path);
    p.set("HealthCheckIntervalSeconds", hc.number("intervalSeconds", "a number of seconds"),
        (b, v) -> b.interval(seconds(v)));
    p.set("HealthCheckTimeoutSeconds", hc.number("timeoutSeconds", "a number of seconds"),
        (b, v) -> b.timeout(seconds(v)));
    p.set("HealthyThresholdCount", hc.integer("healthyThresholdCount", "a whole number 2-10"),
        (b, v) -> b.healthyThresholdCount(clamp(v)));
    p.set("UnhealthyThresholdCount", hc.integer("unhealthyThresholdCount", "a whole number 2-10"),
        (b, v) -> b.unhealthyThresholdCount(clamp(v)));
    Obj matcher = hc.object("matcher");
    if (matcher != null) {
      p.set("Matcher.HttpCode", matcher.string("httpCode"), HealthCheck.Builder::matcher);
      p.set("Matcher.GrpcCode", matcher.string("grpcCode"), HealthCheck.Builder::grpcCode);
      matcher.rejectUnknown();
    }
    p.set("embedded", hc.bool("embedded"), HealthCheck.Builder::embedded);
    p.set("reuseConnections", hc.bool("reuseConnections"), HealthCheck.Builder::reuseConnections);
    p.set("maxConcurrentChecks", hc.integer("maxConcurrentChecks", "a whole number 1-100000"),
        (b, v) -> b.maxConcurrentChecks(clamp(v)));
    hc.raw("enabled");
    hc.rejectUnknown();
    return p.build();
  }

  private OutlierDetection outlierDetection(Obj o) {
    if (o == null) {
      return OutlierDetection.defaults();
    }
    Val<Boolean> enabled = o.bool("enabled");
    Probe<OutlierDetection.Builder, OutlierDetection> p = new Probe<>(ctx, o.path(), o.node(),
        OutlierDetection::builder, OutlierDetection.Builder::build);
    p.set("consecutiveFailures", o.integer("consecutiveFailures", "a whole number 1-1000"),
        (b, v) -> b.consecutiveFailures(clamp(v)));
    p.set("baseEjectionTime", o.number("baseEjectionTimeSeconds", "a number of seconds"),
        (b, v) -> b.baseEjectionTime(seconds(v)));
    p.set("maxEjectionTime", o.number("maxEjectionTimeSeconds", "a number of seconds"),
        (b, v) -> b.maxEjectionTime(seconds(v)));
    p.set("maxEjectionPercent", o.integer("maxEjectionPercent", "a whole number 0-100"),
        (b, v) -> b.maxEjectionPercent(clamp(v)));
    o.rejectUnknown();
    OutlierDetection built = p.build();
    if (built == null) {
      return null;
    }
    return enabled.or(true) ? built : OutlierDetection.disabled();
  }

  /** The mutable inputs of a Target (function and balancer targets with stand-ins for what names resolve to). */
  private static final class TargetDraft {
    String id = "placeholder";
    String host = "placeholder";
    int port = 1;
    Target.Kind kind = Target.Kind.INSTANCE;
    Integer weight;
    String zone;
    Boolean healthCheckEnabled;
    Map<String, String> metadata = new LinkedHashMap<>();

    Target build() {
      Target.Builder b;
      switch (kind) {
        case FUNCTION:
          b = Target.functionBuilder(id, PLACEHOLDER_FUNCTION);
          break;
        case BALANCER:
          b = Target.balancerBuilder(id, PLACEHOLDER_BALANCER);
          break;
        default:
          b = Target.builder(id, host, port).kind(kind);
      }
      b.zone(zone).metadata(metadata);
      if (weight != null) {
        b.weight(weight);
      }
      if (healthCheckEnabled != null) {
        b.healthCheckEnabled(healthCheckEnabled);
      }
      return b.build();
    }
  }

  private static String article(Target.Kind kind) {
    return kind == Target.Kind.INSTANCE || kind == Target.Kind.IP || kind == Target.Kind.BALANCER ? "an " : "a ";
  }

  /** Reports a field that the target's kind does not take; false when it was present. */
  private boolean notFor(Target.Kind kind, Val<?> field, String why) {
    if (field.node() == null) {
      return true;
    }
    ctx.error(field.node(), field.path(), field.render() + " (expected: no " + leafName(field.path()) + " on "
        + article(kind) + kind.albName() + " target" + why + ")");
    return false;
  }

  private static String leafName(String path) {
    return path.substring(path.lastIndexOf('.') + 1);
  }

  private List<TargetSpec> targets(Obj group, String groupName) {
    List<Node> items = group.list("targets");
    if (items == null) {
      return List.of();
    }
    List<TargetSpec> out = new ArrayList<>();
    Map<String, String> ids = new HashMap<>();
    boolean ok = true;
    for (int i = 0; i < items.size(); i++) {
      Obj t = Obj.of(ctx, Paths.item(group.path("targets"), i), items.get(i));
      if (t == null) {
        ok = false;
        continue;
      }
      TargetSpec spec = target(t, groupName);
      if (spec == null) {
        ok = false;
        continue;
      }
      String first = ids.putIfAbsent(spec.id(), t.path());
      if (first != null) {
        Node idNode = t.raw("id");
        ctx.error(idNode, t.path("id"), idNode.render() + " (expected: an id no other target of the group uses; "
            + first + " has it)");
        ok = false;
        continue;
      }
      out.add(spec);
    }
    return ok ? out : null;
  }

  private TargetSpec target(Obj t, String groupName) {
    Val<String> id = t.require(t.string("id"), "a target id, e.g. i-0abc or web-1");
    Val<String> type = t.choice("type", TARGET_TYPES);
    Val<String> hostField = t.string("host");
    Val<Long> portField = t.integer("port", "a port 1-65535");
    Val<String> function = t.string("function");
    Val<String> listener = t.string("listener");
    Val<String> group = t.string("targetGroup");
    Val<Long> weight = t.integer("weight", "a whole number 0-10000");
    Val<String> zone = t.string("zone");
    Val<Map<String, String>> metadata = stringMap(t, "metadata");
    Val<Boolean> hc = t.bool("healthCheckEnabled");
    t.rejectUnknown();
    if (type.invalid()) {
      return null;
    }
    Target.Kind kind = type.present() ? Target.Kind.byName(type.value().toLowerCase(Locale.ROOT))
        : function.node() != null ? Target.Kind.FUNCTION
        : listener.node() != null || group.node() != null ? Target.Kind.BALANCER : Target.Kind.INSTANCE;
    boolean ok = true;
    Probe<TargetDraft, Target> p = new Probe<>(ctx, t.path(), t.node(), TargetDraft::new, TargetDraft::build);
    p.set("id", id, (d, v) -> d.id = v);
    if (kind.isNetwork()) {
      Val<String> host = t.require(hostField, "a host name or IP address");
      Val<Long> port = t.require(portField, "a port 1-65535");
      String why = "; set type: lambda or alb and leave out host and port";
      ok &= notFor(kind, function, why);
      ok &= notFor(kind, listener, why);
      ok &= notFor(kind, group, why);
      ok &= host.present() && port.present();
      p.set("host", host, (d, v) -> d.host = v).set("port", port, (d, v) -> d.port = clamp(v));
    } else if (kind == Target.Kind.FUNCTION) {
      String why = ", which is called in process";
      ok &= notFor(kind, hostField, why);
      ok &= notFor(kind, portField, why);
      ok &= notFor(kind, listener, why);
      ok &= notFor(kind, group, why);
      String known = "a function of the gateway (" + String.join(", ", functions) + ")";
      t.require(function, known);
      if (function.present() && !functions.contains(function.value())) {
        ctx.error(function.node(), function.path(), function.render() + " (expected: " + known
            + Names.suggestion(function.value(), functions) + ")");
        ok = false;
      }
      ok &= function.present();
    } else {
      String why = ", which hands requests to its listener or target group";
      ok &= notFor(kind, hostField, why);
      ok &= notFor(kind, portField, why);
      ok &= notFor(kind, function, why);
      if (listener.node() != null && group.node() != null) {
        ctx.error(group.node(), group.path(), group.render() + " (expected: either listener or targetGroup, not both)");
        ok = false;
      } else if (listener.node() == null && group.node() == null) {
        t.missing(t.path("listener"), "listener or targetGroup: the listener or target group this alb target hands "
            + "requests to");
        ok = false;
      } else if (ok && groupName != null && (listener.present() || group.present())) {
        boolean toListener = listener.present();
        Val<String> ref = toListener ? listener : group;
        (toListener ? listenerRefs : groupRefs).add(ref);
        balancerEdges.add(new BalancerEdge(groupName, ref, toListener));
      }
      ok &= listener.present() || group.present();
    }
    if (!id.present() || !ok) {
      p.fail();
    }
    p.set("kind", new Val<>(t.path("type"), type.node(), kind, false), (d, v) -> d.kind = v)
        .set("weight", weight, (d, v) -> d.weight = clamp(v))
        .set("zone", zone, (d, v) -> d.zone = v)
        .set("healthCheckEnabled", hc, (d, v) -> d.healthCheckEnabled = v)
        .set("metadata", metadata, (d, v) -> d.metadata = v);
    Target target = p.build();
    if (target == null) {
      return null;
    }
    if (kind.isNetwork()) {
      return TargetSpec.of(t.path(), target);
    }
    return new TargetSpec(t.path(), target.id(), kind, null, function.value(), listener.value(), group.value(),
        target.weight(), target.zone(), target.metadata(), hc.value());
  }

  private Val<Map<String, String>> stringMap(Obj parent, String key) {
    Obj m = parent.object(key);
    if (m == null) {
      return new Val<>(parent.path(key), parent.raw(key), null, parent.raw(key) != null);
    }
    Map<String, String> out = new LinkedHashMap<>();
    boolean ok = true;
    for (String k : m.node().fields().keySet()) {
      Val<String> v = m.string(k);
      if (v.present()) {
        out.put(k, v.value());
      } else {
        ok = false;
      }
    }
    return new Val<>(m.path(), m.node(), ok ? out : null, !ok);
  }

  private DiscoveryConfig discovery(Obj group) {
    Node n = group.raw("discovery");
    if (n == null || n.kind() == Node.Kind.INVALID) {
      return null;
    }
    String path = group.path("discovery");
    if (n.kind() != Node.Kind.OBJECT) {
      ctx.error(n, path, n.render() + " (expected: an object with sources)");
      return null;
    }
    try {
      return DiscoveryConfig.fromJson((JsonObject) toJson(n));
    } catch (IllegalArgumentException | NullPointerException e) {
      String msg = String.valueOf(e.getMessage());
      int colon = msg.indexOf(": ");
      String inner = colon < 0 ? "" : msg.substring(0, colon);
      Node at = locate(n, inner);
      ctx.error(at, inner.isEmpty() ? path : path + "." + inner, colon < 0 ? msg : msg.substring(colon + 2));
      return null;
    }
  }

  /** The node at a relative path such as {@code sources[1].port}, or the closest ancestor found. */
  private static Node locate(Node from, String relative) {
    Node cur = from;
    Matcher m = Pattern.compile("([^.\\[\\]]+)|\\[(\\d+)]").matcher(relative);
    while (m.find()) {
      Node next = null;
      if (m.group(1) != null && cur.kind() == Node.Kind.OBJECT) {
        next = cur.fields().get(m.group(1));
      } else if (m.group(2) != null && cur.kind() == Node.Kind.ARRAY) {
        int i = Integer.parseInt(m.group(2));
        next = i < cur.items().size() ? cur.items().get(i) : null;
      }
      if (next == null) {
        return cur;
      }
      cur = next;
    }
    return cur;
  }

  private static Object toJson(Node n) {
    switch (n.kind()) {
      case OBJECT: {
        JsonObject o = new JsonObject();
        n.fields().forEach((k, v) -> o.put(k, toJson(v)));
        return o;
      }
      case ARRAY: {
        JsonArray a = new JsonArray();
        n.items().forEach(i -> a.add(toJson(i)));
        return a;
      }
      case DECIMAL:
        return ((BigDecimal) n.value()).doubleValue();
      default:
        return n.value();
    }
  }

  // ---- listeners -------------------------------------------------------------------------------------------------

  /** A port some listener (or the admin API) binds, for clash detection. */
  private record Bind(String path, Node node, String host, int port, String what) {
  }

  private ListenerSpec listener(Obj o, Map<String, String> names, List<Bind> binds) {
    Val<String> name = o.require(o.string("name"), "a listener name");
    if (name.present()) {
      String first = names.putIfAbsent(name.value(), o.path());
      if (first != null) {
        ctx.error(name.node(), name.path(), name.render() + " (expected: a name no other listener uses; " + first
            + " has it)");
      }
    }
    boolean nameOk = listenerName(name);
    Val<String> protocol = o.choice("protocol", List.of("HTTP", "TCP"));
    boolean tcp = "TCP".equals(protocol.value());
    Val<String> host = o.string("host");
    Val<Long> port = o.require(o.integer("port", "a port 0-65535 (0 picks a free port)"),
        "a port 0-65535 (0 picks a free port)");
    Val<String> zoneField = o.string("zone");
    String zone = zoneField.present() ? zone(zoneField) : gatewayZone;
    boolean zoneOk = !zoneField.invalid() && (!zoneField.present() || zone != null);
    Val<BigDecimal> connect = o.number("connectTimeoutSeconds", "a number of seconds");
    Obj attrs = o.object("attributes");
    String idleKey = tcp ? "tcp.idle_timeout.seconds" : "idle_timeout.timeout_seconds";
    Val<Long> idle = attrs == null ? new Val<>(o.path("attributes." + idleKey), null, null, false)
        : attrs.integer(idleKey, true, "a whole number of seconds");
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
      binds.add(new Bind(port.path(), port.node(), h, port.value().intValue(), o.path()));
    }
    Duration idleTimeout = Duration.ofSeconds(idle.or(tcp ? 350L : 60L));
    Duration connectTimeout = connect.present() ? seconds(connect.value()) : Duration.ofSeconds(10);
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
              groupRefs.add(tg);
              group = tg.value();
            }
            if (!type.present()) {
              group = null;
            }
          }
        }
      }
      o.rejectUnknown();
      if (!nameOk || !port.present() || group == null || idle.invalid() || connect.invalid() || !zoneOk) {
        return null;
      }
      return new ListenerSpec(name.value(), ListenerSpec.Protocol.TCP, h, port.value().intValue(), null, null, group,
          idleTimeout, connectTimeout, zone);
    }
    // HTTP
    Val<Boolean> retry = o.bool("retryIdempotent");
    Val<Long> maxConns = o.integer("maxConnectionsPerTarget", "a whole number 1-100000");
    Val<Long> eventLoops = o.integer("eventLoops", "a whole number 1-" + ListenerConfig.MAX_EVENT_LOOPS);
    Probe<ListenerConfig.Builder, ListenerConfig> p = new Probe<>(ctx, o.path(), o.node(), ListenerConfig::builder,
        ListenerConfig.Builder::build);
    if (!port.present()) {
      p.fail();
    }
    p.set("host", host, ListenerConfig.Builder::host)
        .set("port", port, (b, v) -> b.port(clamp(v)))
        .set("name", new Val<>(name.path(), name.node(), nameOk ? name.value() : null, false),
            ListenerConfig.Builder::name)
        .set("localZone", new Val<>(zoneField.path(), zoneField.node(), zone, false),
            ListenerConfig.Builder::localZone)
        .set("idleTimeout", new Val<>(idle.path(), idle.node(), idle.present() ? idleTimeout : null,
            idle.invalid()), ListenerConfig.Builder::idleTimeout)
        .set("connectTimeout", new Val<>(connect.path(), connect.node(), connect.present() ? connectTimeout : null,
            connect.invalid()), ListenerConfig.Builder::connectTimeout)
        .set("retryIdempotent", retry, ListenerConfig.Builder::retryIdempotent)
        .set("maxConnectionsPerTarget", maxConns, (b, v) -> b.maxConnectionsPerTarget(clamp(v)))
        .set("eventLoops", eventLoops, (b, v) -> b.eventLoops(clamp(v)))
        .set("groupStickinessKeys", new Val<>(o.path(), o.node(), stickinessKeys, false),
            ListenerConfig.Builder::groupStickinessKeys);
    ListenerConfig config = p.build();
    RuleLimits limits = ruleLimits(o.object("ruleLimits"));
    RuleSet rules = rules(o, defaults, limits == null ? RuleLimits.alb() : limits);
    o.rejectUnknown();
    if (!nameOk || config == null || rules == null || limits == null || !zoneOk) {
      return null;
    }
    return new ListenerSpec(name.value(), ListenerSpec.Protocol.HTTP, h, config.port(), config, rules, null,
        idleTimeout, connectTimeout, zone);
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
    Probe<RuleLimits.Builder, RuleLimits> p = new Probe<>(ctx, o.path(), o.node(), RuleLimits::builder,
        RuleLimits.Builder::build);
    p.set("maxRules", o.integer("maxRules", "a whole number >= 1"), (b, v) -> b.maxRules(clamp(v)))
        .set("maxValuesPerCondition", o.integer("maxValuesPerCondition", "a whole number >= 1"),
            (b, v) -> b.maxValuesPerCondition(clamp(v)))
        .set("maxValuesPerRule", o.integer("maxValuesPerRule", "a whole number >= 1"),
            (b, v) -> b.maxValuesPerRule(clamp(v)))
        .set("maxWildcardsPerRule", o.integer("maxWildcardsPerRule", "a whole number >= 1"),
            (b, v) -> b.maxWildcardsPerRule(clamp(v)))
        .set("maxPatternLength", o.integer("maxPatternLength", "a whole number >= 1"),
            (b, v) -> b.maxPatternLength(clamp(v)));
    o.rejectUnknown();
    return p.build();
  }

  /** A parsed action with the config path of each routing field name, for error mapping. */
  private record ParsedAction(Action action, Map<String, Val<?>> fields) {
  }

  private RuleSet rules(Obj listener, List<Node> defaults, RuleLimits limits) {
    boolean ok = true;
    Action defaultAction = null;
    if (defaults != null) {
      String dpath = listener.path("defaultActions");
      if (defaults.size() != 1) {
        ctx.error(listener.raw("defaultActions"), dpath, defaults.size()
            + " actions (expected: exactly one of forward, redirect, fixed-response)");
        ok = false;
      } else {
        ParsedAction a = action(Obj.of(ctx, Paths.item(dpath, 0), defaults.get(0)));
        if (a != null && checkRule(null, a, limits, Paths.item(dpath, 0), defaults.get(0), Map.of())) {
          defaultAction = a.action();
        } else {
          ok = false;
        }
      }
    } else {
      ok = false;
    }
    List<Node> items = listener.list("rules");
    List<Rule> rules = new ArrayList<>();
    Map<Integer, String> priorities = new HashMap<>();
    if (items != null) {
      for (int i = 0; i < items.size(); i++) {
        Obj r = Obj.of(ctx, Paths.item(listener.path("rules"), i), items.get(i));
        if (r == null) {
          ok = false;
          continue;
        }
        Rule rule = rule(r, limits, priorities);
        if (rule == null) {
          ok = false;
        } else {
          rules.add(rule);
        }
      }
    }
    if (!ok || defaultAction == null) {
      return null;
    }
    try {
      return RuleSet.builder().limits(limits).rules(rules).defaultAction(defaultAction).build();
    } catch (IllegalArgumentException e) {
      ctx.error(listener.raw("rules"), listener.path("rules"), ruleDetail(e.getMessage()));
      return null;
    }
  }

  private static String ruleDetail(String msg) {
    int colon = msg.indexOf(": ");
    return colon < 0 ? msg : msg.substring(colon + 2).replace("RuleLimits.maxRules", "ruleLimits.maxRules");
  }

  private Rule rule(Obj r, RuleLimits limits, Map<Integer, String> priorities) {
    Val<Long> priority = r.require(r.integer("priority", "a whole number 1-50000"), "a priority 1-50000");
    Val<String> name = r.string("name");
    Map<String, Val<?>> fields = new HashMap<>();
    fields.put("priority", priority);
    List<Node> conds = r.list("conditions");
    if (conds == null && !r.has("conditions")) {
      r.missing(r.path("conditions"), "a list of conditions (only the default action has none)");
    }
    List<Condition> conditions = new ArrayList<>();
    boolean ok = conds != null;
    if (conds != null) {
      fields.put("conditions", new Val<>(r.path("conditions"), r.raw("conditions"), conds, false));
      for (int i = 0; i < conds.size(); i++) {
        Condition c = condition(Obj.of(ctx, Paths.item(r.path("conditions"), i), conds.get(i)), fields);
        if (c == null) {
          ok = false;
        } else {
          conditions.add(c);
        }
      }
    }
    List<Node> actions = r.list("actions");
    ParsedAction action = null;
    if (actions == null) {
      if (!r.has("actions")) {
        r.missing(r.path("actions"), "a list with one action");
      }
      ok = false;
    } else if (actions.size() != 1) {
      ctx.error(r.raw("actions"), r.path("actions"), actions.size()
          + " actions (expected: exactly one of forward, redirect, fixed-response)");
      ok = false;
    } else {
      action = action(Obj.of(ctx, Paths.item(r.path("actions"), 0), actions.get(0)));
      ok &= action != null;
    }
    r.rejectUnknown();
    boolean duplicate = false;
    if (priority.present()) {
      if (priority.value() >= 1 && priority.value() <= 50_000) {
        String first = priorities.putIfAbsent(priority.value().intValue(), r.path());
        if (first != null) {
          ctx.error(priority.node(), priority.path(), priority.render() + " (expected: a priority no other rule of the "
              + "listener uses (PriorityInUse); " + first + " has it)");
          duplicate = true;
        }
      }
    } else {
      ok = false;
    }
    if (!ok) {
      return null;
    }
    int prio = clamp(priority.value());
    Rule rule = Rule.named(name.or("priority " + prio), prio, action.action(),
        conditions.toArray(new Condition[0]));
    return checkRule(rule, action, limits, r.path(), r.node(), fields) && !duplicate ? rule : null;
  }

  /** Validates one rule (or, with {@code rule} null, a default action) alone through routing's checks. */
  private boolean checkRule(Rule rule, ParsedAction action, RuleLimits limits, String path, Node node,
      Map<String, Val<?>> fields) {
    Map<String, Val<?>> all = new HashMap<>(fields);
    all.putAll(action.fields());
    try {
      RuleSet.Builder b = RuleSet.builder().limits(limits);
      if (rule == null) {
        b.defaultAction(action.action());
      } else {
        b.rule(rule).defaultAction(Action.fixedResponse(404, null, null));
      }
      b.build();
      return true;
    } catch (IllegalArgumentException e) {
      Matcher m = RULE_ERROR.matcher(String.valueOf(e.getMessage()));
      if (!m.matches()) {
        ctx.error(node, path, String.valueOf(e.getMessage()));
        return false;
      }
      String field = m.group(2);
      Val<?> v = all.get(field);
      String detail = m.group(3);
      if (v != null) {
        ctx.error(v.node() != null ? v.node() : node, v.path(), detail);
      } else {
        ctx.error(node, path, field + ": " + detail);
      }
      return false;
    }
  }

  private Condition condition(Obj c, Map<String, Val<?>> fields) {
    if (c == null) {
      return null;
    }
    Val<String> field = c.require(c.choice("field", CONDITION_FIELDS), "one of " + String.join(", ",
        CONDITION_FIELDS));
    List<Node> values = c.list("values");
    if (values == null && !c.has("values")) {
      c.missing(c.path("values"), "a list of 1-3 values");
    }
    if (!field.present() || values == null) {
      c.raw("httpHeaderName");
      c.rejectUnknown();
      return null;
    }
    String f = field.value();
    String valuesPath = c.path("values");
    fields.putIfAbsent(f, new Val<>(valuesPath, c.raw("values"), values, false));
    List<String> strings = new ArrayList<>();
    List<Condition.QueryPair> pairs = new ArrayList<>();
    int[] ports = new int[values.size()];
    boolean ok = true;
    String headerName = null;
    if (f.equals("http-header")) {
      Val<String> hn = c.require(c.string("httpHeaderName"), "the header name, e.g. User-Agent");
      if (!hn.present()) {
        ok = false;
      } else {
        headerName = hn.value();
        fields.putIfAbsent("http-header name", hn);
      }
    }
    for (int i = 0; i < values.size(); i++) {
      Node n = values.get(i);
      String p = Paths.item(valuesPath, i);
      if (n.kind() == Node.Kind.INVALID) {
        ok = false;
        continue;
      }
      if (f.equals("query-string")) {
        if (n.kind() == Node.Kind.OBJECT) {
          Obj q = new Obj(ctx, p, n);
          Val<String> key = q.string("key");
          Val<String> value = q.require(q.string("value"), "a value pattern");
          q.rejectUnknown();
          if (!value.present() || key.invalid()) {
            ok = false;
            continue;
          }
          pairs.add(key.present() ? Condition.pair(key.value(), value.value()) : Condition.anyKey(value.value()));
          fields.putIfAbsent(f + "[" + i + "].key", key);
          fields.putIfAbsent(f + "[" + i + "].value", value);
        } else if (n.isScalar()) {
          pairs.add(Condition.anyKey(n.text()));
          fields.putIfAbsent(f + "[" + i + "].value", new Val<>(p, n, n.text(), false));
        } else {
          ctx.error(n, p, n.render() + " (expected: {key: ..., value: ...} or a value pattern)");
          ok = false;
        }
        continue;
      }
      if (f.equals("listener-port")) {
        if (n.kind() != Node.Kind.INTEGER) {
          ctx.error(n, p, n.render() + " (expected: a port 1-65535)");
          ok = false;
          continue;
        }
        ports[i] = clamp((Long) n.value());
        fields.putIfAbsent(f + "[" + i + "]", new Val<>(p, n, n.value(), false));
        continue;
      }
      if (!n.isScalar()) {
        ctx.error(n, p, n.render() + " (expected: a string)");
        ok = false;
        continue;
      }
      strings.add(n.text());
      Val<String> v = new Val<>(p, n, n.text(), false);
      fields.putIfAbsent(f + "[" + i + "]", v);
      if (headerName != null) {
        fields.putIfAbsent(f + "[" + headerName + "][" + i + "]", v);
      }
    }
    c.rejectUnknown();
    if (!ok) {
      return null;
    }
    String[] s = strings.toArray(new String[0]);
    switch (f) {
      case "host-header":
        return Condition.hostHeader(s);
      case "path-pattern":
        return Condition.pathPattern(s);
      case "http-header":
        return Condition.httpHeader(headerName, s);
      case "http-request-method":
        return Condition.httpRequestMethod(s);
      case "query-string":
        return Condition.queryString(pairs.toArray(new Condition.QueryPair[0]));
      case "source-ip":
        return Condition.sourceIp(s);
      default:
        return Condition.listenerPort(ports);
    }
  }

  private ParsedAction action(Obj a) {
    if (a == null) {
      return null;
    }
    Val<String> type = a.require(a.choice("type", ACTION_TYPES), "one of " + String.join(", ", ACTION_TYPES));
    Map<String, Val<?>> fields = new HashMap<>();
    if (!type.present()) {
      a.raw("targetGroupName");
      a.raw("forwardConfig");
      a.raw("redirectConfig");
      a.raw("fixedResponseConfig");
      a.rejectUnknown();
      return null;
    }
    ParsedAction result;
    switch (type.value()) {
      case "forward":
        result = forward(a, fields);
        break;
      case "redirect":
        result = redirect(a, fields);
        break;
      default:
        result = fixedResponse(a, fields);
    }
    a.rejectUnknown();
    return result;
  }

  private ParsedAction forward(Obj a, Map<String, Val<?>> fields) {
    Val<String> simple = a.string("targetGroupName");
    Obj config = a.object("forwardConfig");
    if (simple.present() && config != null) {
      ctx.error(config.node(), config.path(), "an object (expected: either targetGroupName or forwardConfig, not both)");
      return null;
    }
    if (simple.present()) {
      groupRefs.add(simple);
      fields.put("forward.targetGroups[0].name", simple);
      return new ParsedAction(Action.forward(simple.value()), fields);
    }
    if (config == null) {
      if (!simple.invalid() && a.raw("forwardConfig") == null) {
        a.missing(a.path("targetGroupName"), "the target group to forward to (or forwardConfig with weighted "
            + "targetGroups)");
      }
      return null;
    }
    List<Node> groups = config.list("targetGroups");
    if (groups == null && !config.has("targetGroups")) {
      config.missing(config.path("targetGroups"), "a list of 1-5 {targetGroupName, weight}");
    }
    Obj sticky = config.object("targetGroupStickinessConfig");
    Duration stickiness = null;
    boolean ok = groups != null;
    if (sticky != null) {
      Val<Boolean> enabled = sticky.bool("enabled");
      Val<Long> duration = sticky.integer("durationSeconds", "a whole number of seconds 1-604800");
      sticky.rejectUnknown();
      ok &= !enabled.invalid() && !duration.invalid();
      if (enabled.or(false)) {
        if (!duration.present() && !duration.invalid()) {
          sticky.missing(duration.path(), "a duration 1-604800 seconds when enabled");
          ok = false;
        } else if (duration.present()) {
          stickiness = Duration.ofSeconds(duration.value());
          fields.put("forward.stickiness.durationSeconds", duration);
        }
      }
    }
    List<Action.WeightedGroup> weighted = new ArrayList<>();
    if (groups != null) {
      fields.put("forward.targetGroups", new Val<>(config.path("targetGroups"), config.raw("targetGroups"), groups,
          false));
      for (int i = 0; i < groups.size(); i++) {
        Obj g = Obj.of(ctx, Paths.item(config.path("targetGroups"), i), groups.get(i));
        if (g == null) {
          ok = false;
          continue;
        }
        Val<String> name = g.require(g.string("targetGroupName"), "a target group name");
        Val<Long> weight = g.integer("weight", "a whole number 0-999");
        g.rejectUnknown();
        if (!name.present() || weight.invalid()) {
          ok = false;
          continue;
        }
        groupRefs.add(name);
        fields.put("forward.targetGroups[" + i + "].name", name);
        fields.put("forward.targetGroups[" + i + "].weight", weight);
        weighted.add(Action.group(name.value(), weight.present() ? clamp(weight.value()) : 1));
      }
    }
    config.rejectUnknown();
    if (!ok) {
      return null;
    }
    return new ParsedAction(Action.weightedForward(stickiness, weighted.toArray(new Action.WeightedGroup[0])),
        fields);
  }

  private ParsedAction redirect(Obj a, Map<String, Val<?>> fields) {
    Obj c = a.object("redirectConfig");
    if (c == null) {
      if (a.raw("redirectConfig") == null) {
        a.missing(a.path("redirectConfig"), "an object with statusCode (HTTP_301 or HTTP_302) and the parts to change");
      }
      return null;
    }
    Val<String> code = c.require(c.choice("statusCode", List.of("HTTP_301", "HTTP_302")), "HTTP_301 or HTTP_302");
    Val<String> protocol = c.string("protocol");
    Val<String> host = c.string("host");
    Val<String> port = c.string("port");
    Val<String> path = c.string("path");
    Val<String> query = c.string("query");
    c.rejectUnknown();
    if (!code.present() || protocol.invalid() || host.invalid() || port.invalid() || path.invalid()
        || query.invalid()) {
      return null;
    }
    fields.put("redirect.statusCode", code);
    fields.put("redirect.protocol", protocol);
    fields.put("redirect.host", host);
    fields.put("redirect.port", port);
    fields.put("redirect.path", path);
    fields.put("redirect.query", query);
    fields.put("redirect", new Val<>(c.path(), c.node(), c.node(), false));
    Action r = Action.redirect(code.value().equals("HTTP_301") ? 301 : 302);
    if (protocol.present()) {
      r = r.withProtocol(protocol.value());
    }
    if (host.present()) {
      r = r.withHost(host.value());
    }
    if (port.present()) {
      r = r.withPort(port.value());
    }
    if (path.present()) {
      r = r.withPath(path.value());
    }
    if (query.present()) {
      r = r.withQuery(query.value());
    }
    return new ParsedAction(r, fields);
  }

  private ParsedAction fixedResponse(Obj a, Map<String, Val<?>> fields) {
    Obj c = a.object("fixedResponseConfig");
    if (c == null) {
      if (a.raw("fixedResponseConfig") == null) {
        a.missing(a.path("fixedResponseConfig"), "an object with statusCode, contentType and messageBody");
      }
      return null;
    }
    Val<String> code = c.require(c.string("statusCode"), "a status code 2XX, 4XX or 5XX");
    Val<String> type = c.string("contentType");
    Val<String> body = c.string("messageBody");
    c.rejectUnknown();
    if (!code.present() || type.invalid() || body.invalid()) {
      return null;
    }
    int status;
    try {
      status = Integer.parseInt(code.value().trim());
    } catch (NumberFormatException e) {
      ctx.error(code.node(), code.path(), code.render() + " (expected: a status code 2XX, 4XX or 5XX)");
      return null;
    }
    fields.put("fixed-response.statusCode", code);
    fields.put("fixed-response.contentType", type);
    fields.put("fixed-response.messageBody", body);
    return new ParsedAction(Action.fixedResponse(status, type.value(), body.value()), fields);
  }

  private void checkPorts(List<Bind> binds) {
    for (int i = 0; i < binds.size(); i++) {
      Bind b = binds.get(i);
      if (b.port() == 0) {
        continue;
      }
      for (int j = 0; j < i; j++) {
        Bind a = binds.get(j);
        if (a.port() == b.port() && overlaps(a.host(), b.host())) {
          ctx.error(b.node(), b.path(), b.port() + " (expected: a port nothing else binds on " + b.host() + "; "
              + a.what() + " binds " + a.host() + ":" + a.port() + ")");
          break;
        }
      }
    }
  }

  private static boolean overlaps(String a, String b) {
    return norm(a).equals(norm(b)) || wildcard(a) || wildcard(b);
  }

  private static String norm(String h) {
    return h.equals("localhost") ? "127.0.0.1" : h;
  }

  private static boolean wildcard(String h) {
    return h.equals("0.0.0.0") || h.equals("::") || h.equals("[::]") || h.equals("*");
  }

  // ---- scaling groups --------------------------------------------------------------------------------------------

  /** The mutable inputs of a ScalingGroupConfig. */
  private static final class SgDraft {
    String name = "placeholder";
    LaunchTemplate template = LaunchTemplate.of("in-process");
    long minSize;
    long maxSize;
    Long desired;
    String healthCheckType;
    Duration grace;
    Duration healthCheckInterval;
    Duration monitoringInterval;
    Duration cooldown;
    Duration warmup;
    Duration backoffInitial;
    Duration backoffMax;
    String terminationPolicy;
    Boolean protect;
    List<PolicyDraft> policies = List.of();
    List<TargetGroup> groups = List.of();
    Function<String, TargetGroup> lookup = n -> null;
    InstanceProvider provider;

    ScalingGroupConfig build() {
      ScalingGroupConfig.Builder b = ScalingGroupConfig.builder(name, template)
          .capacity(clamp(minSize), desired == null ? clamp(minSize) : clamp(desired), clamp(maxSize));
      if (provider != null) {
        b.provider(provider);
      }
      if (healthCheckType != null) {
        b.healthCheckType(healthCheckType.equals("ELB") ? HealthCheckType.LOAD_BALANCER : HealthCheckType.PROVIDER);
      }
      if (grace != null) {
        b.healthCheckGracePeriod(grace);
      }
      if (healthCheckInterval != null) {
        b.healthCheckInterval(healthCheckInterval);
      }
      if (monitoringInterval != null) {
        b.monitoringInterval(monitoringInterval);
      }
      if (cooldown != null) {
        b.defaultCooldown(cooldown);
      }
      if (warmup != null) {
        b.defaultInstanceWarmup(warmup);
      }
      if (backoffInitial != null || backoffMax != null) {
        b.launchBackoff(backoffInitial != null ? backoffInitial : ScalingGroupConfig.DEFAULT_LAUNCH_BACKOFF_INITIAL,
            backoffMax != null ? backoffMax : ScalingGroupConfig.DEFAULT_LAUNCH_BACKOFF_MAX);
      }
      if (terminationPolicy != null) {
        b.terminationPolicy(terminationPolicy.equals("NewestInstance") ? TerminationPolicy.NEWEST_INSTANCE
            : TerminationPolicy.OLDEST_INSTANCE);
      }
      if (protect != null) {
        b.newInstancesProtectedFromScaleIn(protect);
      }
      b.targetGroups(groups.toArray(new TargetGroup[0]));
      List<ScalingPolicy> built = new ArrayList<>();
      for (PolicyDraft p : policies) {
        built.add(p.build(lookup));
      }
      b.policies(built.toArray(new ScalingPolicy[0]));
      return b.build();
    }
  }

  /** The mutable inputs of a ScalingPolicy. */
  private static final class PolicyDraft {
    String name = "placeholder";
    String type = "TargetTrackingScaling";
    String metric;
    String resourceLabel;
    Double targetValue;
    Boolean disableScaleIn;
    Integer scaleOutDatapoints;
    Integer scaleInDatapoints;
    String adjustmentType;
    Integer minAdjustmentMagnitude;
    Integer datapoints;
    List<ScalingPolicy.StepAdjustment> steps = List.of();

    ScalingPolicy build(Function<String, TargetGroup> lookup) {
      if (type.equals("TargetTrackingScaling")) {
        ScalingPolicy.PredefinedMetric m = metric == null ? null
            : metric.equals("ALBRequestCountPerTarget") ? ScalingPolicy.PredefinedMetric.ALB_REQUEST_COUNT_PER_TARGET
            : ScalingPolicy.PredefinedMetric.AVERAGE_OUTSTANDING_REQUESTS_PER_TARGET;
        ScalingPolicy.TargetTrackingBuilder b = ScalingPolicy.targetTracking(name, m, resourceLabel,
            targetValue == null ? Double.NaN : targetValue);
        if (disableScaleIn != null) {
          b.disableScaleIn(disableScaleIn);
        }
        if (scaleOutDatapoints != null) {
          b.scaleOutDatapoints(scaleOutDatapoints);
        }
        if (scaleInDatapoints != null) {
          b.scaleInDatapoints(scaleInDatapoints);
        }
        return b.build();
      }
      ScalingPolicy.AdjustmentType t = adjustmentType == null ? null : switch (adjustmentType) {
        case "ExactCapacity" -> ScalingPolicy.AdjustmentType.EXACT_CAPACITY;
        case "PercentChangeInCapacity" -> ScalingPolicy.AdjustmentType.PERCENT_CHANGE_IN_CAPACITY;
        default -> ScalingPolicy.AdjustmentType.CHANGE_IN_CAPACITY;
      };
      DoubleSupplier supplier = metric == null ? null : PolicyMetrics.supplier(metric, resourceLabel, lookup);
      ScalingPolicy.StepScalingBuilder b = ScalingPolicy.stepScaling(name, metric == null ? null
          : metric + "/" + resourceLabel, supplier, t);
      for (ScalingPolicy.StepAdjustment s : steps) {
        b.step(s.lowerBound(), s.upperBound(), s.adjustment());
      }
      if (minAdjustmentMagnitude != null) {
        b.minAdjustmentMagnitude(minAdjustmentMagnitude);
      }
      if (datapoints != null) {
        b.datapoints(datapoints);
      }
      return b.build();
    }
  }

  private static final List<String> METRICS = List.of("ALBRequestCountPerTarget",
      "AverageOutstandingRequestsPerTarget");

  private static List<String> providerNames() {
    Set<String> names = new LinkedHashSet<>();
    for (InstanceProviderFactory f : ServiceLoader.load(InstanceProviderFactory.class,
        Validator.class.getClassLoader())) {
      names.add(f.name());
    }
    return new ArrayList<>(names);
  }

  private ScalingGroupSpec scalingGroup(Obj o, Map<String, String> names) {
    Val<String> name = o.require(o.string("name"), "a scaling group name");
    if (name.present()) {
      String first = names.putIfAbsent(name.value(), o.path());
      if (first != null) {
        ctx.error(name.node(), name.path(), name.render() + " (expected: a name no other scaling group uses; " + first
            + " has it)");
      }
    }
    Obj lt = o.object("launchTemplate");
    Val<LaunchTemplate> template = new Val<>(o.path("launchTemplate"), o.raw("launchTemplate"), null,
        o.raw("launchTemplate") != null);
    if (lt == null && o.raw("launchTemplate") == null) {
      o.missing(o.path("launchTemplate"), "an object with provider and parameters");
    }
    if (lt != null) {
      List<String> known = providerNames();
      Val<String> provider = lt.require(lt.choice("provider", known), "one of " + String.join(", ", known));
      Val<Map<String, String>> params = stringMap(lt, "parameters");
      lt.rejectUnknown();
      if (provider.present() && !params.invalid()) {
        template = new Val<>(lt.path(), lt.node(), LaunchTemplate.builder(provider.value())
            .parameters(params.or(Map.of())).build(), false);
      }
    }
    Val<Long> min = o.require(o.integer("minSize", "a whole number >= 0"), "MinSize, a whole number >= 0");
    Val<Long> max = o.require(o.integer("maxSize", "a whole number >= minSize"), "MaxSize, a whole number >= minSize");
    Val<Long> desired = o.integer("desiredCapacity", "a whole number minSize-maxSize");
    List<Val<String>> groups = o.strings("targetGroups");
    List<String> groupList = new ArrayList<>();
    boolean ok = true;
    if (groups != null) {
      Set<String> seen = new HashSet<>();
      for (Val<String> g : groups) {
        if (!seen.add(g.value())) {
          ctx.error(g.node(), g.path(), g.render() + " (expected: each target group once)");
          ok = false;
        } else {
          groupRefs.add(g);
          groupList.add(g.value());
        }
      }
    }
    List<String> zones = availabilityZones(o, template.value());
    ok &= zones != null;
    List<PolicyDraft> policies = policies(o, groupList);
    ok &= policies != null;
    Probe<SgDraft, ScalingGroupConfig> p = new Probe<>(ctx, o.path(), o.node(), SgDraft::new, SgDraft::build)
        .word("autoScalingGroupName", "name");
    if (!name.present() || !template.present() || !min.present() || !max.present()) {
      p.fail();
    }
    p.set("autoScalingGroupName", name, (d, v) -> d.name = v)
        .set("launchTemplate", template, (d, v) -> d.template = v)
        .set("minSize", min, (d, v) -> d.minSize = v, 0L)
        .set("maxSize", max, (d, v) -> d.maxSize = v, (long) Integer.MAX_VALUE)
        .set("desiredCapacity", desired, (d, v) -> d.desired = v)
        .set("healthCheckType", o.choice("healthCheckType", List.of("EC2", "ELB")), (d, v) -> d.healthCheckType = v)
        .set("healthCheckGracePeriod", secondsVal(o, "healthCheckGracePeriod"), (d, v) -> d.grace = v)
        .set("healthCheckInterval", secondsVal(o, "healthCheckInterval"), (d, v) -> d.healthCheckInterval = v)
        .set("monitoringInterval", secondsVal(o, "monitoringInterval"), (d, v) -> d.monitoringInterval = v)
        .set("defaultCooldown", secondsVal(o, "defaultCooldown"), (d, v) -> d.cooldown = v)
        .set("defaultInstanceWarmup", secondsVal(o, "defaultInstanceWarmup"), (d, v) -> d.warmup = v)
        .set("launchBackoffInitial", secondsVal(o, "launchBackoffInitial"), (d, v) -> d.backoffInitial = v)
        .set("launchBackoffMax", secondsVal(o, "launchBackoffMax"), (d, v) -> d.backoffMax = v)
        .set("terminationPolicy", o.choice("terminationPolicy", List.of("OldestInstance", "NewestInstance")),
            (d, v) -> d.terminationPolicy = v)
        .set("newInstancesProtectedFromScaleIn", o.bool("newInstancesProtectedFromScaleIn"),
            (d, v) -> d.protect = v)
        .set("policies", new Val<>(o.path("policies"), o.raw("policies"), policies, policies == null),
            (d, v) -> d.policies = v);
    o.rejectUnknown();
    ScalingGroupConfig probe = p.build();
    if (probe == null || !ok) {
      return null;
    }
    SgDraft draft = new SgDraft();
    draft.name = name.value();
    draft.template = template.value();
    draft.minSize = min.value();
    draft.maxSize = max.value();
    draft.desired = desired.value();
    draft.healthCheckType = probe.healthCheckType() == HealthCheckType.LOAD_BALANCER ? "ELB" : "EC2";
    draft.grace = probe.healthCheckGracePeriod();
    draft.healthCheckInterval = probe.healthCheckInterval();
    draft.monitoringInterval = probe.monitoringInterval();
    draft.cooldown = probe.defaultCooldown();
    draft.warmup = probe.defaultInstanceWarmup();
    draft.backoffInitial = probe.launchBackoffInitial();
    draft.backoffMax = probe.launchBackoffMax();
    draft.terminationPolicy = probe.terminationPolicy().apiName();
    draft.protect = probe.newInstancesProtectedFromScaleIn();
    draft.policies = policies;
    List<String> attached = List.copyOf(groupList);
    LaunchTemplate t = template.value();
    String n = name.value();
    return new ScalingGroupSpec(n, t, attached, zones, (running, provider) -> {
      SgDraft d = copy(draft);
      List<TargetGroup> gs = new ArrayList<>();
      for (String g : attached) {
        TargetGroup tg = running.get(g);
        if (tg == null) {
          throw new IllegalArgumentException("targetGroups: \"" + g + "\" (expected: a running target group)");
        }
        gs.add(tg);
      }
      d.groups = gs;
      d.lookup = running::get;
      d.provider = provider;
      return d.build();
    });
  }

  /**
   * Auto Scaling's {@code AvailabilityZones}: unique, non-blank names, for a provider that launches into zones
   * ({@code in-process}, {@code process}); null when wrong (reported).
   */
  private List<String> availabilityZones(Obj o, LaunchTemplate template) {
    List<Val<String>> items = o.strings("availabilityZones");
    if (items == null) {
      return o.raw("availabilityZones") == null ? List.of() : null;
    }
    List<String> out = new ArrayList<>();
    boolean ok = true;
    for (Val<String> z : items) {
      if (z.value().isBlank()) {
        ctx.error(z.node(), z.path(), z.render() + " (expected: an availability zone name, e.g. eu-west-1a)");
        ok = false;
      } else if (out.contains(z.value())) {
        ctx.error(z.node(), z.path(), z.render() + " (expected: each zone once)");
        ok = false;
      } else {
        out.add(z.value());
      }
    }
    if (items.size() != o.raw("availabilityZones").items().size()) {
      ok = false; // an item of the wrong type, reported
    }
    List<String> zoned = List.of(InProcessProvider.NAME, ProcessProvider.NAME);
    if (!out.isEmpty() && template != null && !zoned.contains(template.provider())) {
      ctx.error(o.raw("availabilityZones"), o.path("availabilityZones"), "a list (expected: no availabilityZones "
          + "with provider " + template.provider() + ": only " + String.join(" and ", zoned)
          + " launch into zones)");
      ok = false;
    }
    return ok ? out : null;
  }

  private static SgDraft copy(SgDraft s) {
    SgDraft d = new SgDraft();
    d.name = s.name;
    d.template = s.template;
    d.minSize = s.minSize;
    d.maxSize = s.maxSize;
    d.desired = s.desired;
    d.healthCheckType = s.healthCheckType;
    d.grace = s.grace;
    d.healthCheckInterval = s.healthCheckInterval;
    d.monitoringInterval = s.monitoringInterval;
    d.cooldown = s.cooldown;
    d.warmup = s.warmup;
    d.backoffInitial = s.backoffInitial;
    d.backoffMax = s.backoffMax;
    d.terminationPolicy = s.terminationPolicy;
    d.protect = s.protect;
    d.policies = s.policies;
    return d;
  }

  private Val<Duration> secondsVal(Obj o, String key) {
    Val<BigDecimal> v = o.number(key, "a number of seconds");
    return new Val<>(v.path(), v.node(), v.present() ? seconds(v.value()) : null, v.invalid());
  }

  private List<PolicyDraft> policies(Obj group, List<String> attached) {
    List<Node> items = group.list("policies");
    if (items == null) {
      return group.raw("policies") == null ? List.of() : null;
    }
    List<PolicyDraft> out = new ArrayList<>();
    boolean ok = true;
    for (int i = 0; i < items.size(); i++) {
      Obj o = Obj.of(ctx, Paths.item(group.path("policies"), i), items.get(i));
      PolicyDraft d = o == null ? null : policy(o, attached);
      if (d == null) {
        ok = false;
      } else {
        out.add(d);
      }
    }
    return ok ? out : null;
  }

  private PolicyDraft policy(Obj o, List<String> attached) {
    Val<String> name = o.require(o.string("name"), "a policy name");
    Val<String> type = o.require(o.choice("policyType", List.of("TargetTrackingScaling", "StepScaling")),
        "TargetTrackingScaling or StepScaling");
    Probe<PolicyDraft, ScalingPolicy> p = new Probe<>(ctx, o.path(), o.node(), PolicyDraft::new,
        d -> d.build(n -> null))
        .word("policyName", "name")
        .word("stepAdjustments", "stepAdjustments")
        .word(".adjustment", ".scalingAdjustment");
    if (!name.present() || !type.present()) {
      p.fail();
      o.raw("targetTrackingConfiguration");
      o.raw("adjustmentType");
      o.raw("metric");
      o.raw("stepAdjustments");
      o.raw("minAdjustmentMagnitude");
      o.raw("datapoints");
      o.rejectUnknown();
      return null;
    }
    p.set("policyName", name, (d, v) -> d.name = v).set("policyType", type, (d, v) -> d.type = v);
    if (type.value().equals("TargetTrackingScaling")) {
      Obj c = o.object("targetTrackingConfiguration");
      if (c == null) {
        if (o.raw("targetTrackingConfiguration") == null) {
          o.missing(o.path("targetTrackingConfiguration"),
              "an object with predefinedMetricSpecification and targetValue");
        }
        o.rejectUnknown();
        return null;
      }
      Obj spec = c.object("predefinedMetricSpecification");
      if (spec == null) {
        if (c.raw("predefinedMetricSpecification") == null) {
          c.missing(c.path("predefinedMetricSpecification"), "an object with predefinedMetricType and resourceLabel");
        }
        p.fail();
      } else {
        metric(spec, attached, p);
      }
      p.set("targetValue", c.require(c.number("targetValue", "a number > 0"), "a number > 0"),
          (d, v) -> d.targetValue = v.doubleValue());
      p.set("disableScaleIn", c.bool("disableScaleIn"), (d, v) -> d.disableScaleIn = v);
      p.set("scaleOutDatapoints", c.integer("scaleOutDatapoints", "a whole number 1-100"),
          (d, v) -> d.scaleOutDatapoints = clamp(v));
      p.set("scaleInDatapoints", c.integer("scaleInDatapoints", "a whole number 1-100"),
          (d, v) -> d.scaleInDatapoints = clamp(v));
      c.rejectUnknown();
      if (!c.has("targetValue")) {
        p.fail();
      }
    } else {
      p.set("adjustmentType", o.require(o.choice("adjustmentType", List.of("ChangeInCapacity", "ExactCapacity",
          "PercentChangeInCapacity")), "ChangeInCapacity, ExactCapacity or PercentChangeInCapacity"),
          (d, v) -> d.adjustmentType = v);
      Obj m = o.object("metric");
      if (m == null) {
        if (o.raw("metric") == null) {
          o.missing(o.path("metric"), "an object with predefinedMetricType and resourceLabel");
        }
        p.fail();
      } else {
        metric(m, attached, p);
      }
      List<Node> steps = o.list("stepAdjustments");
      if (steps == null && !o.has("stepAdjustments")) {
        o.missing(o.path("stepAdjustments"), "a list of 1-20 {lowerBound, upperBound, scalingAdjustment}");
        p.fail();
      }
      List<ScalingPolicy.StepAdjustment> list = new ArrayList<>();
      boolean ok = steps != null;
      if (steps != null) {
        for (int i = 0; i < steps.size(); i++) {
          Obj s = Obj.of(ctx, Paths.item(o.path("stepAdjustments"), i), steps.get(i));
          if (s == null) {
            ok = false;
            continue;
          }
          Val<BigDecimal> lower = s.number("lowerBound", "a number");
          Val<BigDecimal> upper = s.number("upperBound", "a number");
          Val<Long> adj = s.require(s.integer("scalingAdjustment", "a whole number"), "a whole number");
          s.rejectUnknown();
          if (lower.invalid() || upper.invalid() || !adj.present()) {
            ok = false;
            continue;
          }
          list.add(new ScalingPolicy.StepAdjustment(lower.present() ? lower.value().doubleValue() : null,
              upper.present() ? upper.value().doubleValue() : null, clamp(adj.value())));
        }
      }
      p.set("stepAdjustments", new Val<>(o.path("stepAdjustments"), o.raw("stepAdjustments"), ok ? list : null,
          !ok), (d, v) -> d.steps = v);
      p.set("minAdjustmentMagnitude", o.integer("minAdjustmentMagnitude", "a whole number >= 0"),
          (d, v) -> d.minAdjustmentMagnitude = clamp(v));
      p.set("datapoints", o.integer("datapoints", "a whole number 1-100"), (d, v) -> d.datapoints = clamp(v));
    }
    o.rejectUnknown();
    ScalingPolicy built = p.build();
    if (built == null) {
      return null;
    }
    PolicyDraft d = new PolicyDraft();
    // re-apply the validated values into a reusable draft
    d.name = built.name();
    d.type = built.type() == ScalingPolicy.Type.TARGET_TRACKING ? "TargetTrackingScaling" : "StepScaling";
    d.targetValue = built.type() == ScalingPolicy.Type.TARGET_TRACKING ? built.targetValue() : null;
    d.disableScaleIn = built.disableScaleIn();
    d.scaleOutDatapoints = built.scaleOutDatapoints();
    d.scaleInDatapoints = built.scaleInDatapoints();
    if (built.type() == ScalingPolicy.Type.TARGET_TRACKING) {
      d.metric = built.predefinedMetric().apiName();
      d.resourceLabel = built.targetGroupName();
    } else {
      String[] parts = built.metricName().split("/", 2);
      d.metric = parts[0];
      d.resourceLabel = parts[1];
      d.adjustmentType = built.adjustmentType().apiName();
      d.minAdjustmentMagnitude = built.minAdjustmentMagnitude();
      d.datapoints = built.scaleOutDatapoints();
      d.steps = built.steps();
    }
    return d;
  }

  private void metric(Obj spec, List<String> attached, Probe<PolicyDraft, ScalingPolicy> p) {
    Val<String> type = spec.require(spec.choice("predefinedMetricType", METRICS), "one of " + String.join(", ",
        METRICS));
    Val<String> label = spec.require(spec.string("resourceLabel"), "the name of an attached target group");
    spec.rejectUnknown();
    if (label.present() && !attached.contains(label.value())) {
      ctx.error(label.node(), label.path(), label.render() + " (expected: a target group this scaling group is "
          + "attached to" + (attached.isEmpty() ? " (it has none)" : " (" + String.join(", ", attached) + ")")
          + Names.suggestion(label.value(), attached) + ")");
      label = new Val<>(label.path(), label.node(), null, true);
    }
    if (!type.present() || !label.present()) {
      p.fail();
    }
    p.set("predefinedMetric", type, (d, v) -> d.metric = v);
    p.set("targetGroupName", label, (d, v) -> d.resourceLabel = v);
  }

  // ---- helpers ---------------------------------------------------------------------------------------------------

  private static int clamp(long v) {
    return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, v));
  }

  private static Duration seconds(BigDecimal s) {
    BigDecimal nanos = s.movePointRight(9);
    if (nanos.abs().compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
      return s.signum() < 0 ? Duration.ofSeconds(Long.MIN_VALUE / 1_000_000_000L)
          : Duration.ofSeconds(Long.MAX_VALUE / 1_000_000_000L);
    }
    return Duration.ofNanos(nanos.setScale(0, java.math.RoundingMode.HALF_UP).longValueExact());
  }

  private static IllegalArgumentException invalid(String name, Object value, String expected) {
    return new IllegalArgumentException(name + ": " + value + " (expected: " + expected + ")");
  }
}
