package dev.loadstar.gateway;

import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.gateway.config.ConfigError;
import dev.loadstar.gateway.config.ConfigException;
import dev.loadstar.gateway.config.GatewayConfig;
import dev.loadstar.gateway.config.ListenerSpec;
import dev.loadstar.gateway.config.ScalingGroupSpec;
import dev.loadstar.gateway.config.TargetGroupSpec;
import dev.loadstar.gateway.config.TargetSpec;
import dev.loadstar.healthcheck.HealthChecker;
import dev.loadstar.core.discovery.TargetDiscovery;
import dev.loadstar.routing.HttpListener;
import dev.loadstar.routing.TcpListener;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Applies a new, validated configuration to a running {@link GatewayRuntime}, changing only what changed (compared
 * section by section, {@link GatewayConfig#sections()}):
 *
 * <ol>
 *   <li>refused first, changing nothing: changes to {@code admin}, {@code zone}, {@code stickinessSecrets} or
 *   {@code scalingGroups}, and rebuilding a group a scaling group or a balancer target uses, or a listener a balancer
 *   target names;</li>
 *   <li>prepared, undone if a step fails: new target groups are created; new listeners and listeners whose settings
 *   changed are built and bound (a changed listener's new server shares the port with the old one until it
 *   stops);</li>
 *   <li>committed: a group whose attributes changed is rebuilt (a new group with the same targets and their health,
 *   its checker and discovery; new requests go to it while requests in flight finish on the old one, which closes
 *   once they have); a group whose health check changed gets a new checker (health kept); discovery is restarted when
 *   it changed; targets are registered, updated or deregistered (draining); every listener's rules are swapped
 *   atomically; replaced and removed listeners stop accepting and let their requests finish; removed groups close
 *   once their requests have finished.</li>
 * </ol>
 */
final class Reload {

  private static final System.Logger LOG = System.getLogger(GatewayRuntime.class.getName());
  /** How long a replaced or removed listener lets its requests in flight finish. */
  static final Duration LISTENER_DRAIN = Duration.ofSeconds(60);

  private final GatewayRuntime rt;
  private final GatewayConfig prev;
  private final GatewayConfig next;
  private final List<String> changes = new ArrayList<>();
  private final Map<String, TargetGroupSpec> oldGroups;
  private final Map<String, TargetGroupSpec> newGroups;
  private final Map<String, ListenerSpec> oldListeners;
  private final Map<String, ListenerSpec> newListeners;
  /** Listeners built and bound by the prepare step, by name. */
  private final Map<String, Object> built = new LinkedHashMap<>();
  private final List<String> addedGroups = new ArrayList<>();

  private Reload(GatewayRuntime rt, GatewayConfig next) {
    this.rt = rt;
    this.prev = rt.config;
    this.next = next;
    this.oldGroups = byName(prev.targetGroups());
    this.newGroups = byName(next.targetGroups());
    this.oldListeners = listeners(prev.listeners());
    this.newListeners = listeners(next.listeners());
  }

  /** Applies {@code next}; completes with the changes made, or fails (nothing changed) with the reason. */
  static Future<List<String>> apply(GatewayRuntime rt, GatewayConfig next) {
    Reload r = new Reload(rt, next);
    List<ConfigError> refused = r.refusals();
    if (!refused.isEmpty()) {
      return Future.failedFuture(new ConfigException(refused));
    }
    return r.prepare().compose(v -> r.commit());
  }

  private static Map<String, TargetGroupSpec> byName(List<TargetGroupSpec> specs) {
    Map<String, TargetGroupSpec> m = new LinkedHashMap<>();
    specs.forEach(s -> m.put(s.name(), s));
    return m;
  }

  private static Map<String, ListenerSpec> listeners(List<ListenerSpec> specs) {
    Map<String, ListenerSpec> m = new LinkedHashMap<>();
    specs.forEach(s -> m.put(s.name(), s));
    return m;
  }

  private boolean changed(String section) {
    return !Objects.equals(prev.sections().get(section), next.sections().get(section));
  }

  private boolean rebuilt(String group) {
    return oldGroups.containsKey(group) && newGroups.containsKey(group) && changed("group:" + group);
  }

  private boolean listenerRebuilt(String name) {
    return oldListeners.containsKey(name) && newListeners.containsKey(name) && changed("listener:" + name);
  }

  // ---- 1. what a reload does not change -------------------------------------------------------------------------

  private List<ConfigError> refusals() {
    List<ConfigError> out = new ArrayList<>();
    String file = next.source();
    if (prev.sections().isEmpty()) {
      out.add(new ConfigError(file, 1, 1, "", "a configuration assembled in code (expected: one read from a "
          + "document, to compare with)"));
      return out;
    }
    for (String top : List.of("admin", "zone", "stickinessSecrets", "scalingGroups")) {
      if (changed(top)) {
        out.add(new ConfigError(file, 1, 1, top, top + ": changed (expected: unchanged on reload; restart the "
            + "gateway to change " + top + ")"));
      }
    }
    Set<String> scaled = new LinkedHashSet<>();
    for (ScalingGroupSpec sg : prev.scalingGroups()) {
      for (String g : sg.targetGroups()) {
        if (rebuilt(g)) {
          out.add(new ConfigError(file, 1, 1, "targetGroups." + g, "target group " + g + ": attributes changed "
              + "(expected: unchanged on reload for a group scaling group " + sg.name() + " registers instances in)"));
          scaled.add(g);
        }
      }
    }
    for (TargetGroupSpec g : prev.targetGroups()) {
      for (TargetSpec t : g.targets()) {
        if (!t.isBalancer()) {
          continue;
        }
        if (t.targetGroup() != null && rebuilt(t.targetGroup()) && !scaled.contains(t.targetGroup())) {
          out.add(new ConfigError(file, 1, 1, t.path(), "target group " + t.targetGroup() + ": attributes changed "
              + "(expected: unchanged on reload for a group balancer target " + g.name() + "/" + t.id() + " uses)"));
        }
        if (t.listener() != null && listenerRebuilt(t.listener())) {
          out.add(new ConfigError(file, 1, 1, t.path(), "listener " + t.listener() + ": settings changed "
              + "(expected: unchanged on reload for a listener balancer target " + g.name() + "/" + t.id()
              + " uses)"));
        }
      }
    }
    return out;
  }

  // ---- 2. prepare: new groups, new and rebuilt listeners bound ---------------------------------------------------

  private Future<Void> prepare() {
    try {
      for (TargetGroupSpec spec : next.targetGroups()) {
        if (!oldGroups.containsKey(spec.name())) {
          TargetGroup g = TargetGroup.create(rt.vertx, spec.config());
          rt.groups.put(spec.name(), g);
          addedGroups.add(spec.name());
          rt.startGroupParts(spec, g, List.of());
          changes.add("target group " + spec.name() + ": added");
        }
      }
      List<Future<Void>> bound = new ArrayList<>();
      for (ListenerSpec spec : next.listeners()) {
        if (!oldListeners.containsKey(spec.name()) || listenerRebuilt(spec.name())) {
          if (listenerRebuilt(spec.name())) {
            rt.metrics.unbindListener(spec.name()); // the new listener's meters take the name
          }
          if (spec.protocol() == ListenerSpec.Protocol.HTTP) {
            HttpListener l = rt.buildHttp(spec);
            built.put(spec.name(), l);
            bound.add(GatewayRuntime.bind(spec, l::start));
          } else {
            TcpListener l = rt.buildTcp(spec);
            built.put(spec.name(), l);
            bound.add(GatewayRuntime.bind(spec, l::start));
          }
        }
      }
      return Future.all(bound).<Void>mapEmpty().recover(err -> undo().transform(x -> Future.failedFuture(err)));
    } catch (RuntimeException e) {
      return undo().transform(x -> Future.failedFuture(e));
    }
  }

  /** Closes what the prepare step made; the running gateway is as it was (meters of rebuilt listeners rebound). */
  private Future<Void> undo() {
    List<Future<Void>> closing = new ArrayList<>();
    built.forEach((name, l) -> {
      rt.metrics.unbindListener(name);
      closing.add(l instanceof HttpListener h ? h.close() : ((TcpListener) l).close());
      ListenerSpec spec = newListeners.get(name);
      if (spec.accessLog() != null) {
        rt.accessLogs.release(spec.accessLog());
      }
      if (listenerRebuilt(name)) {
        HttpListener h = rt.httpListeners.get(name);
        if (h != null) {
          rt.metrics.bindHttpListener(name, h);
        } else if (rt.tcpListeners.get(name) != null) {
          rt.metrics.bindTcpListener(name, rt.tcpListeners.get(name));
        }
      }
    });
    for (String name : addedGroups) {
      closing.add(removeGroup(name));
    }
    return Future.join(closing).mapEmpty();
  }

  // ---- 3. commit ------------------------------------------------------------------------------------------------

  private Future<List<String>> commit() {
    for (TargetGroupSpec spec : next.targetGroups()) {
      if (rebuilt(spec.name())) {
        rebuildGroup(spec);
      } else if (oldGroups.containsKey(spec.name())) {
        updateGroup(oldGroups.get(spec.name()), spec);
      }
    }
    for (ListenerSpec spec : next.listeners()) {
      Object fresh = built.get(spec.name());
      if (fresh == null) {
        HttpListener h = rt.httpListeners.get(spec.name());
        if (h != null && spec.rules() != null && changed("listener-rules:" + spec.name())) {
          h.rules(spec.rules()); // atomic: each request sees the old rules or the new ones
          changes.add("listener " + spec.name() + ": rules replaced");
        }
        continue;
      }
      boolean replaced = listenerRebuilt(spec.name());
      if (replaced) {
        stopListener(oldListeners.get(spec.name()));
      }
      if (fresh instanceof HttpListener h) {
        rt.httpListeners.put(spec.name(), h);
      } else {
        rt.tcpListeners.put(spec.name(), (TcpListener) fresh);
      }
      changes.add("listener " + spec.name() + ": " + (replaced ? "replaced (settings changed)" : "added"));
    }
    for (ListenerSpec spec : prev.listeners()) {
      if (!newListeners.containsKey(spec.name())) {
        rt.metrics.unbindListener(spec.name());
        stopListener(spec);
        changes.add("listener " + spec.name() + ": removed");
      }
    }
    registerBalancerTargets();
    for (TargetGroupSpec spec : prev.targetGroups()) {
      if (!newGroups.containsKey(spec.name())) {
        TargetGroup g = rt.groups.remove(spec.name());
        if (g != null) {
          retire(spec, g);
        }
        changes.add("target group " + spec.name() + ": removed");
      }
    }
    rt.config = next;
    return Future.succeededFuture(List.copyOf(changes));
  }

  /** A listener stops accepting at once and closes once its requests in flight finished (bounded). */
  private void stopListener(ListenerSpec spec) {
    HttpListener h = rt.httpListeners.remove(spec.name());
    if (h != null) {
      h.shutdown(LISTENER_DRAIN).onComplete(ar -> {
        if (spec.accessLog() != null) {
          rt.accessLogs.release(spec.accessLog());
        }
      });
      return;
    }
    TcpListener t = rt.tcpListeners.remove(spec.name());
    if (t != null) {
      t.close();
    }
  }

  /** A group whose attributes changed: a new group with the same targets and health takes new requests. */
  private void rebuildGroup(TargetGroupSpec spec) {
    TargetGroup old = rt.groups.get(spec.name());
    TargetGroupSpec oldSpec = oldGroups.get(spec.name());
    List<RegisteredTarget> keep = new ArrayList<>();
    Set<String> configured = new LinkedHashSet<>();
    oldSpec.targets().forEach(t -> configured.add(t.id()));
    Set<String> wanted = new LinkedHashSet<>();
    spec.targets().forEach(t -> wanted.add(t.id()));
    for (RegisteredTarget t : old.targets()) {
      // active targets the new file still has, or that discovery registered; never balancer targets (made anew)
      boolean fromFile = configured.contains(t.target().id());
      if (t.isActive() && t.target().kind() != Target.Kind.BALANCER
          && (!fromFile || wanted.contains(t.target().id()))) {
        keep.add(t);
      }
    }
    rt.metrics.unbindTargetGroup(spec.name());
    stopChecker(spec.name());
    stopDiscovery(spec.name());
    TargetGroup fresh = TargetGroup.create(rt.vertx, spec.config());
    rt.startGroupParts(spec, fresh, keep);
    rt.groups.put(spec.name(), fresh); // new requests go to the new group from here on
    retireGroupOnly(old);
    changes.add("target group " + spec.name() + ": rebuilt (attributes changed; " + keep.size()
        + " targets kept with their health)");
  }

  /** A group whose attributes did not change: new checker or discovery if those changed; the targets' changes. */
  private void updateGroup(TargetGroupSpec old, TargetGroupSpec spec) {
    TargetGroup g = rt.groups.get(spec.name());
    if (changed("group-health:" + spec.name())) {
      HealthChecker previous = rt.checkerByGroup.remove(spec.name());
      Future<Void> closed = previous == null ? Future.succeededFuture() : previous.close();
      if (previous != null) {
        rt.checkers.remove(previous);
      }
      rt.healthChecks.put(spec.name(), spec.healthCheck());
      // the new checker starts once the old one stopped: targets keep the health checks gave them
      closed.onComplete(ar -> {
        if (!rt.stopping) { // a shutdown that began meanwhile closes the checkers it knows: start none after it
          rt.startChecker(spec, g);
        }
      });
      changes.add("target group " + spec.name() + ": health check replaced (target health kept)");
    }
    if (changed("group-discovery:" + spec.name())) {
      stopDiscovery(spec.name());
      rt.startDiscovery(spec, g);
      changes.add("target group " + spec.name() + ": discovery restarted");
    }
    Set<String> wanted = new LinkedHashSet<>();
    for (TargetSpec t : spec.targets()) {
      wanted.add(t.id());
      boolean known = old.targets().stream().anyMatch(o -> o.id().equals(t.id()));
      if (!t.isBalancer() && (!known || changed("target:" + spec.name() + "/" + t.id()))) {
        g.register(t.build(rt.functions, n -> null, n -> null));
        changes.add("target group " + spec.name() + ": target " + t.id() + (known ? " updated" : " registered"));
      }
    }
    for (TargetSpec t : old.targets()) {
      RegisteredTarget rt0 = g.target(t.id());
      if (!wanted.contains(t.id()) && rt0 != null && rt0.isActive()) {
        g.deregister(t.id());
        changes.add("target group " + spec.name() + ": target " + t.id() + " deregistered (draining)");
      }
    }
  }

  /** Balancer targets of new and rebuilt groups, and new or changed ones of the others, once listeners exist. */
  private void registerBalancerTargets() {
    for (TargetGroupSpec spec : next.targetGroups()) {
      boolean fresh = !oldGroups.containsKey(spec.name()) || rebuilt(spec.name());
      TargetGroup g = rt.groups.get(spec.name());
      for (TargetSpec t : spec.targets()) {
        if (!t.isBalancer()) {
          continue;
        }
        boolean known = !fresh && oldGroups.get(spec.name()).targets().stream().anyMatch(o -> o.id().equals(t.id()));
        if (fresh || !known || changed("target:" + spec.name() + "/" + t.id())) {
          try {
            g.register(t.build(rt.functions, rt::balancerListener, rt.groups::get));
          } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.WARNING, "reload: target group " + spec.name() + ": " + e.getMessage());
          }
        }
      }
    }
  }

  private void stopChecker(String group) {
    HealthChecker c = rt.checkerByGroup.remove(group);
    if (c != null) {
      rt.checkers.remove(c);
      c.close();
    }
  }

  private void stopDiscovery(String group) {
    TargetDiscovery d = rt.discoveryByGroup.remove(group);
    if (d != null) {
      rt.discoveries.remove(d);
      d.close();
    }
  }

  /** A removed group: its meters, checker and discovery go now; the group closes once its requests finished. */
  private void retire(TargetGroupSpec spec, TargetGroup g) {
    rt.metrics.unbindTargetGroup(spec.name());
    stopChecker(spec.name());
    stopDiscovery(spec.name());
    rt.healthChecks.remove(spec.name());
    retireGroupOnly(g);
  }

  /** A group the prepare step added, undone at once (nothing was sent to it). */
  private Future<Void> removeGroup(String name) {
    TargetGroup g = rt.groups.remove(name);
    rt.metrics.unbindTargetGroup(name);
    stopChecker(name);
    stopDiscovery(name);
    rt.healthChecks.remove(name);
    return g == null ? Future.succeededFuture() : g.close();
  }

  /**
   * Closes a group that takes no new requests once its requests in flight have finished, polling every 100 ms, for
   * at most its deregistration delay (at least a second): requests in flight are never cut by a reload.
   */
  private void retireGroupOnly(TargetGroup g) {
    long deadline = System.nanoTime() + Math.max(1000, g.config().deregistrationDelay().toMillis()) * 1_000_000;
    rt.vertx.setPeriodic(100, id -> {
      boolean idle = g.targets().stream().allMatch(t -> t.inFlight() == 0);
      if (idle || System.nanoTime() - deadline > 0) {
        rt.vertx.cancelTimer(id);
        g.close();
      }
    });
  }
}
