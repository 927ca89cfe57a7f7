package dev.loadstar.gateway.internal.config;

import dev.loadstar.gateway.config.ListenerSpec;
import dev.loadstar.routing.Action;
import dev.loadstar.routing.Rule;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Finds loops in the balancer graph: listeners forward to groups, balancer targets hand requests on. */
final class Loops {

  private final Scope s;
  private final Context ctx;

  Loops(Scope s) {
    this.s = s;
    this.ctx = s.ctx();
  }

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
  void check(List<ListenerSpec> listeners) {
    if (s.balancerEdges.isEmpty()) {
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
    for (Scope.BalancerEdge e : s.balancerEdges) {
      graph.computeIfAbsent(groupNode(e.group()), k -> new LinkedHashSet<>())
          .add(e.toListener() ? listenerNode(e.ref().value()) : groupNode(e.ref().value()));
    }
    Set<String> reported = new HashSet<>();
    for (Scope.BalancerEdge e : s.balancerEdges) {
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
}
