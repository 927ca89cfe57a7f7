package dev.loadstar.gateway.internal.config;

import dev.loadstar.core.StickinessKeys;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the section binders of one file share: the error context, the names defined so far, the references to check
 * once every section is read, the stickiness keys and the gateway's zone; and the binders themselves.
 */
final class Scope {

  /** A balancer target of group {@code group} naming a listener or a target group ({@code ref}). */
  record BalancerEdge(String group, Val<String> ref, boolean toListener) {
  }

  private final Context ctx;
  /** The names of the functions function targets may use. */
  final Set<String> functions;
  /** Target group names to their path, for references. */
  final Map<String, String> groupNames = new LinkedHashMap<>();
  /** References to target groups, checked once every group is known. */
  final List<Val<String>> groupRefs = new ArrayList<>();
  /** Listener names to their path, for references from balancer targets. */
  final Map<String, String> listenerNames = new LinkedHashMap<>();
  /** References to listeners (balancer targets), checked once every listener is known. */
  final List<Val<String>> listenerRefs = new ArrayList<>();
  /** Balancer targets, the edges from groups to listeners and groups, in file order (for loops). */
  final List<BalancerEdge> balancerEdges = new ArrayList<>();
  /** An access log file (or stdout) and the listener that set it up first. */
  record SharedLog(String path, dev.loadstar.gateway.config.AccessLogSettings settings) {
  }

  /** Access log destinations by absolute path (or {@code stdout}): listeners sharing one must share its settings. */
  final Map<String, SharedLog> accessLogs = new LinkedHashMap<>();
  StickinessKeys stickinessKeys;
  String gatewayZone;

  final HealthCheckBinder healthChecks;
  final TargetBinder targets;
  final DiscoveryBinder discovery;
  final ActionBinder actions;
  final RuleBinder rules;
  final PolicyBinder policies;

  Scope(Context ctx, Set<String> functions) {
    this.ctx = ctx;
    this.functions = functions;
    this.healthChecks = new HealthCheckBinder(this);
    this.targets = new TargetBinder(this);
    this.discovery = new DiscoveryBinder(this);
    this.actions = new ActionBinder(this);
    this.rules = new RuleBinder(this);
    this.policies = new PolicyBinder(this);
  }

  Context ctx() {
    return ctx;
  }

  /** A zone name: non-blank; null when absent or invalid (reported). */
  String zone(Val<String> zone) {
    if (zone.present() && zone.value().isBlank()) {
      ctx.error(zone.node(), zone.path(), zone.render() + " (expected: an availability zone name, e.g. eu-west-1a)");
      return null;
    }
    return zone.value();
  }
}
