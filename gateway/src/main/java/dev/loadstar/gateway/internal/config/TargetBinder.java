package dev.loadstar.gateway.internal.config;

import dev.loadstar.core.Balancer;
import dev.loadstar.core.FunctionResponse;
import dev.loadstar.core.Target;
import dev.loadstar.core.TargetFunction;
import dev.loadstar.gateway.config.TargetSpec;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Binds a target group's {@code targets[]}: instances and addresses, Lambda (function) and ALB (balancer) targets. */
final class TargetBinder {

  private final Scope s;
  private final Context ctx;
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

  TargetBinder(Scope s) {
    this.s = s;
    this.ctx = s.ctx();
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

  List<TargetSpec> targets(Obj group, String groupName) {
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
    Val<Map<String, String>> metadata = Values.stringMap(t, "metadata");
    Val<Boolean> hc = t.bool("healthCheckEnabled");
    t.rejectUnknown();
    if (type.invalid()) {
      return null;
    }
    Target.Kind kind = type.present() ? Target.Kind.byName(type.value().toLowerCase(Locale.ROOT))
        : function.node() != null ? Target.Kind.FUNCTION
        : listener.node() != null || group.node() != null ? Target.Kind.BALANCER : Target.Kind.INSTANCE;
    boolean ok = true;
    Build<TargetDraft, Target> p = new Build<>(ctx, t.path(), t.node(), TargetDraft::new, TargetDraft::build);
    p.set("id", id, (d, v) -> d.id = v);
    if (kind.isNetwork()) {
      Val<String> host = t.require(hostField, "a host name or IP address");
      Val<Long> port = t.require(portField, "a port 1-65535");
      String why = "; set type: lambda or alb and leave out host and port";
      ok &= notFor(kind, function, why);
      ok &= notFor(kind, listener, why);
      ok &= notFor(kind, group, why);
      ok &= host.present() && port.present();
      p.set("host", host, (d, v) -> d.host = v).set("port", port, (d, v) -> d.port = Values.clamp(v));
    } else if (kind == Target.Kind.FUNCTION) {
      String why = ", which is called in process";
      ok &= notFor(kind, hostField, why);
      ok &= notFor(kind, portField, why);
      ok &= notFor(kind, listener, why);
      ok &= notFor(kind, group, why);
      String known = "a function of the gateway (" + String.join(", ", s.functions) + ")";
      t.require(function, known);
      if (function.present() && !s.functions.contains(function.value())) {
        ctx.error(function.node(), function.path(), function.render() + " (expected: " + known
            + Names.suggestion(function.value(), s.functions) + ")");
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
        (toListener ? s.listenerRefs : s.groupRefs).add(ref);
        s.balancerEdges.add(new Scope.BalancerEdge(groupName, ref, toListener));
      }
      ok &= listener.present() || group.present();
    }
    if (!id.present() || !ok) {
      p.fail();
    }
    p.set("kind", new Val<>(t.path("type"), type.node(), kind, false), (d, v) -> d.kind = v)
        .set("weight", weight, (d, v) -> d.weight = Values.clamp(v))
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
}
