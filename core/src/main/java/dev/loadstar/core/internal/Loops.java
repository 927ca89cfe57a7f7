package dev.loadstar.core.internal;

import dev.loadstar.core.config.Checks;
import dev.loadstar.core.Balancer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Loop detection over the balancer graph (listeners forward to groups, groups hold balancer targets). Every change
 * that adds an edge checks and applies it under {@link #LOCK}, so two concurrent changes cannot close a loop between
 * them; the graph is read through the balancers' published state, without their own locks.
 */
public final class Loops {

  /** Held while an edge is checked and added (before any group's own lock). */
  public static final ReentrantLock LOCK = new ReentrantLock();

  private Loops() {
  }

  /**
   * Fails with {@code name: value (expected: no loop; <the loop>)} when handing requests from {@code from} to
   * {@code to} would close a loop.
   */
  public static void check(String name, Object value, Balancer from, Balancer to) {
    List<Balancer> path = path(to, from);
    if (path != null) {
      List<Balancer> cycle = new ArrayList<>(path.size() + 1);
      cycle.add(from);
      cycle.addAll(path);
      throw Checks.invalid(name, value, "no loop; " + describe(cycle));
    }
  }

  /** The path of balancers from {@code start} to {@code goal} (both included), or null when there is none. */
  static List<Balancer> path(Balancer start, Balancer goal) {
    List<Balancer> path = new ArrayList<>();
    Set<Balancer> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    return dfs(start, goal, path, seen) ? path : null;
  }

  private static boolean dfs(Balancer at, Balancer goal, List<Balancer> path, Set<Balancer> seen) {
    path.add(at);
    if (at == goal) {
      return true;
    }
    if (seen.add(at)) {
      for (Balancer next : at.downstream()) {
        if (next != null && dfs(next, goal, path, seen)) {
          return true;
        }
      }
    }
    path.remove(path.size() - 1);
    return false;
  }

  /** {@code target group a -> b -> a}: each balancer named, its type written when it differs from the previous one. */
  public static String describe(List<Balancer> cycle) {
    StringBuilder b = new StringBuilder();
    String previousType = null;
    for (Balancer x : cycle) {
      if (previousType != null) {
        b.append(" -> ");
      }
      if (!x.balancerType().equals(previousType)) {
        b.append(x.balancerType()).append(' ');
      }
      b.append(x.balancerName());
      previousType = x.balancerType();
    }
    return b.toString();
  }
}
