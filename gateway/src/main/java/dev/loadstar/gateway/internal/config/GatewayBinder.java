package dev.loadstar.gateway.internal.config;

import dev.loadstar.gateway.FunctionRegistry;
import dev.loadstar.gateway.config.AdminSettings;
import dev.loadstar.gateway.config.GatewayConfig;
import dev.loadstar.gateway.config.ListenerSpec;
import dev.loadstar.gateway.config.ScalingGroupSpec;
import dev.loadstar.gateway.config.TargetGroupSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a parsed configuration into a {@link GatewayConfig}, reporting every error to the {@link Context}: each
 * section has its binder (admin, target groups with their health checks, targets and discovery, listeners with
 * their rules and actions, scaling groups with their policies); this one reads the root, then checks what spans
 * sections: references to target groups and listeners, port clashes, balancer loops.
 */
public final class GatewayBinder {

  /** A port some listener (or the admin API) binds, for clash detection. */
  record Bind(String path, Node node, String host, int port, String what) {
  }

  private final Scope s;
  private final Context ctx;

  private GatewayBinder(Context ctx, Set<String> functions) {
    this.s = new Scope(ctx, functions);
    this.ctx = ctx;
  }

  /** Binds the root node; returns the configuration (meaningful only when the context has no errors). */
  public static GatewayConfig bind(Context ctx, Node root, String source) {
    return bind(ctx, root, source, FunctionRegistry.builtIn().names());
  }

  /** As {@link #bind(Context, Node, String)}; function targets may name any of {@code functions}. */
  public static GatewayConfig bind(Context ctx, Node root, String source, Set<String> functions) {
    return new GatewayBinder(ctx, functions).root(root, source);
  }

  private GatewayConfig root(Node rootNode, String source) {
    Obj root = Obj.of(ctx, "", rootNode);
    if (root == null) {
      if (rootNode.kind() == Node.Kind.NULL) {
        ctx.error(rootNode, "", "the file is empty (expected: an object with listeners, targetGroups, ...)");
      }
      return null;
    }
    s.stickinessKeys = StickinessSecrets.keys(ctx, root.strings("stickinessSecrets"));
    AdminSettings admin = new AdminBinder(s).admin(root.object("admin"), root.path("admin"));
    s.gatewayZone = s.zone(root.string("zone"));
    List<TargetGroupSpec> groups = new ArrayList<>();
    TargetGroupBinder groupBinder = new TargetGroupBinder(s);
    List<Node> tgs = root.list("targetGroups");
    for (int i = 0; tgs != null && i < tgs.size(); i++) {
      Obj o = Obj.of(ctx, Paths.item("targetGroups", i), tgs.get(i));
      TargetGroupSpec g = o == null ? null : groupBinder.targetGroup(o);
      if (g != null) {
        groups.add(g);
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
    ListenerBinder listenerBinder = new ListenerBinder(s);
    for (int i = 0; ls != null && i < ls.size(); i++) {
      Obj o = Obj.of(ctx, Paths.item("listeners", i), ls.get(i));
      ListenerSpec l = o == null ? null : listenerBinder.listener(o, s.listenerNames, binds);
      if (l != null) {
        listeners.add(l);
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
    ScalingGroupBinder scalingBinder = new ScalingGroupBinder(s);
    List<Node> sgs = root.list("scalingGroups");
    Map<String, String> names = new HashMap<>();
    for (int i = 0; sgs != null && i < sgs.size(); i++) {
      Obj o = Obj.of(ctx, Paths.item("scalingGroups", i), sgs.get(i));
      ScalingGroupSpec sg = o == null ? null : scalingBinder.scalingGroup(o, names);
      if (sg != null) {
        scaling.add(sg);
      }
    }
    root.rejectUnknown();
    checkReferences(s.groupRefs, s.groupNames, "a target group defined under targetGroups");
    checkReferences(s.listenerRefs, s.listenerNames, "a listener defined under listeners");
    new Loops(s).check(listeners);
    return new GatewayConfig(source, admin == null ? new AdminSettings(true, "127.0.0.1",
        AdminSettings.DEFAULT_PORT, null, List.of()) : admin, groups, listeners, scaling, s.gatewayZone);
  }

  private void checkReferences(List<Val<String>> refs, Map<String, String> defined, String what) {
    for (Val<String> ref : refs) {
      if (!defined.containsKey(ref.value())) {
        ctx.error(ref.node(), ref.path(), ref.render() + " (expected: the name of " + what
            + (defined.isEmpty() ? "" : " (" + String.join(", ", defined.keySet()) + ")")
            + Names.suggestion(ref.value(), defined.keySet()) + ")");
      }
    }
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
}
