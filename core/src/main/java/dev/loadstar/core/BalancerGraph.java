package dev.loadstar.core;

import dev.loadstar.core.config.Checks;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The graph of balancers of one Vert.x instance (listeners forward to target groups, groups hold balancer targets)
 * and its loop guard: a change that adds edges checks and applies them as one step ({@link #change}), so two
 * concurrent changes cannot close a loop between them. The graph is read through the balancers' own published state
 * ({@link Balancer#downstream()}); this object owns only the lock that orders changes.
 */
public final class BalancerGraph implements Shareable {

  private static final String MAP = "dev.loadstar.core.BalancerGraph";

  private final ReentrantLock lock = new ReentrantLock();

  private BalancerGraph() {
  }

  /** The graph of the balancers created on {@code vertx} (one per Vert.x instance, kept in its local shared data). */
  public static BalancerGraph of(Vertx vertx) {
    LocalMap<String, BalancerGraph> map = Checks.notNull("vertx", vertx).sharedData().getLocalMap(MAP);
    BalancerGraph g = map.get("graph");
    if (g == null) {
      BalancerGraph fresh = new BalancerGraph();
      g = map.putIfAbsent("graph", fresh);
      if (g == null) {
        g = fresh;
      }
    }
    return g;
  }

  /** Runs {@code change} (loop checks and the edges they allow) while no other change of this graph runs. */
  public <T> T change(Supplier<T> change) {
    lock.lock();
    try {
      return change.get();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Fails with {@code name: value (expected: no loop; <the loop>)} when handing requests from {@code from} to
   * {@code to} would close a loop. Call it inside {@link #change}.
   */
  public void checkNoLoop(String name, Object value, Balancer from, Balancer to) {
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
