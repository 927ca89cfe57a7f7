package dev.loadstar.core.internal;

import dev.loadstar.core.config.Checks;
import dev.loadstar.core.Balancer;
import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.RequestOutcome;
import dev.loadstar.core.SelectionContext;
import dev.loadstar.core.Target;
import dev.loadstar.core.TargetFunction;
import dev.loadstar.core.TargetGroup;
import io.vertx.core.net.SocketAddress;

/**
 * Where one attempt goes, from the target its group selected to the one that serves it: the target itself (an
 * instance, ip or function target, or a balancer target delegating to a listener), or, through balancer targets
 * delegating to target groups, a target selected in the innermost group. Every target on the way is counted in flight
 * and ends with the attempt's outcome (a failure relayed by a nested balancer counts against it, as its callers see
 * it). Used by every front end: the client, the HTTP gateway, the TCP listener.
 *
 * <p>Not thread-safe: one attempt, one owner.
 */
public final class TargetRoute {

  /** The deepest nesting followed (loops are refused at configuration; this bounds a race). */
  public static final int MAX_DEPTH = 8;
  private static final int START_TRIES = 16;

  private final RegisteredTarget[] hops = new RegisteredTarget[MAX_DEPTH];
  private int size;
  private boolean ended;

  private TargetRoute(RegisteredTarget first) {
    hops[0] = first;
    size = 1;
  }

  /** A route starting at {@code first}, which the caller has already counted in flight. */
  public static TargetRoute of(RegisteredTarget first) {
    return new TargetRoute(Checks.notNull("first", first));
  }

  /**
   * Follows balancer targets that delegate to target groups, selecting (and counting in flight) a target in each with
   * {@code context}. Returns false when a nested group had no target to offer (or nesting went too deep): nothing was
   * sent, and the caller ends the route with {@link RequestOutcome#CONNECT_FAILURE}.
   */
  public boolean descend(SelectionContext context) {
    for (;;) {
      Target t = hops[size - 1].target();
      if (t.kind() != Target.Kind.BALANCER || !(t.balancer() instanceof TargetGroup)) {
        return true;
      }
      if (size == MAX_DEPTH) {
        return false;
      }
      TargetGroup nested = (TargetGroup) t.balancer();
      RegisteredTarget next = null;
      for (int i = 0; i < START_TRIES && next == null; i++) {
        RegisteredTarget c = nested.select(context);
        if (c == null) {
          break;
        }
        if (c.tryStartRequest()) {
          next = c;
        }
      }
      if (next == null) {
        return false;
      }
      hops[size++] = next;
    }
  }

  /** The target the group selected. */
  public RegisteredTarget first() {
    return hops[0];
  }

  /** The target that serves the request (after {@link #descend}). */
  public RegisteredTarget last() {
    return hops[size - 1];
  }

  /** How many targets the route passes (1 without nesting). */
  public int depth() {
    return size;
  }

  /** The handler when the last target is a function target, else null. */
  public TargetFunction function() {
    return last().target().function();
  }

  /** The host to connect to: the last target's, or its listener's while it listens; null when there is none. */
  public String host() {
    Target t = last().target();
    if (t.kind().isNetwork()) {
      return t.host();
    }
    SocketAddress a = listenerAddress(t);
    return a == null ? null : a.host();
  }

  /** The port to connect to (see {@link #host()}); -1 when there is none. */
  public int port() {
    Target t = last().target();
    if (t.kind().isNetwork()) {
      return t.port();
    }
    SocketAddress a = listenerAddress(t);
    return a == null ? -1 : a.port();
  }

  private static SocketAddress listenerAddress(Target t) {
    if (t.kind() != Target.Kind.BALANCER) {
      return null;
    }
    Balancer b = t.balancer();
    return b instanceof TargetGroup ? null : b.address();
  }

  /** Ends every target of the route with the outcome, innermost first; later calls do nothing. */
  public void end(RequestOutcome outcome, long latencyNanos) {
    if (ended) {
      return;
    }
    ended = true;
    for (int i = size - 1; i >= 0; i--) {
      hops[i].endRequest(outcome, latencyNanos);
    }
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("TargetRoute{");
    for (int i = 0; i < size; i++) {
      b.append(i == 0 ? "" : " -> ").append(hops[i].group().name()).append('/').append(hops[i].target().id());
    }
    return b.append('}').toString();
  }
}
