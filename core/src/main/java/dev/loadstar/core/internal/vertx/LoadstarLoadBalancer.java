package dev.loadstar.core.internal.vertx;

import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.RequestOutcome;
import dev.loadstar.core.SelectionContext;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.FailureKind;
import io.vertx.core.net.endpoint.InteractionMetrics;
import io.vertx.core.net.endpoint.LoadBalancer;
import io.vertx.core.net.endpoint.ServerEndpoint;
import io.vertx.core.net.endpoint.ServerSelector;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Vert.x {@link LoadBalancer} that selects with the target group's own selector and accounts requests on the
 * targets. Vert.x creates one {@link TargetMetrics} per server before it knows the server; {@link #selector} binds
 * each to the target its server wraps, so that {@code initiateRequest} can count the request in flight.
 */
public final class LoadstarLoadBalancer implements LoadBalancer {

  /** The shared instance. */
  public static final LoadstarLoadBalancer INSTANCE = new LoadstarLoadBalancer();

  private LoadstarLoadBalancer() {
  }

  @Override
  public InteractionMetrics<?> newMetrics() {
    return new TargetMetrics();
  }

  @Override
  public ServerSelector selector(List<? extends ServerEndpoint> servers) {
    int n = servers.size();
    if (n == 0) {
      return () -> -1;
    }
    RegisteredTarget[] targets = new RegisteredTarget[n];
    TargetGroup group = null;
    boolean sameGroup = true;
    for (int i = 0; i < n; i++) {
      ServerEndpoint s = servers.get(i);
      Object o = s.unwrap();
      if (!(o instanceof RegisteredTarget)) {
        sameGroup = false;
        continue;
      }
      RegisteredTarget t = (RegisteredTarget) o;
      targets[i] = t;
      if (s.metrics() instanceof TargetMetrics) {
        ((TargetMetrics) s.metrics()).target = t;
      }
      if (group == null) {
        group = t.group();
      } else if (group != t.group()) {
        sameGroup = false;
      }
    }
    if (!sameGroup) {
      AtomicLong counter = new AtomicLong();
      return () -> (int) Long.remainderUnsigned(counter.getAndIncrement(), n);
    }
    return new GroupSelector(group, targets);
  }

  /** Selection by the group; the index of the chosen target in Vert.x's list. */
  static final class GroupSelector implements ServerSelector {
    private final TargetGroup group;
    private final RegisteredTarget[] targets;
    private final IdentityHashMap<RegisteredTarget, Integer> index = new IdentityHashMap<>();
    private final AtomicLong counter = new AtomicLong();

    GroupSelector(TargetGroup group, RegisteredTarget[] targets) {
      this.group = group;
      this.targets = targets;
      for (int i = 0; i < targets.length; i++) {
        index.put(targets[i], i);
      }
    }

    @Override
    public int select() {
      return indexOf(group.select(SelectionContext.NONE));
    }

    @Override
    public int select(String key) {
      return indexOf(group.select(SelectionContext.ofKey(key)));
    }

    private int indexOf(RegisteredTarget chosen) {
      if (chosen != null) {
        Integer i = index.get(chosen);
        if (i != null) {
          return i;
        }
      }
      // the group changed since Vert.x built this list (it rebuilds it on the next selection): rotate over the
      // list's targets that still take requests
      int n = targets.length;
      for (int k = 0; k < n; k++) {
        int j = (int) Long.remainderUnsigned(counter.getAndIncrement(), n);
        if (targets[j].isActive()) {
          return j;
        }
      }
      return -1;
    }
  }

  /** Per-server metrics: counts each request in flight on the bound target and records how it ended. */
  static final class TargetMetrics implements InteractionMetrics<Interaction> {
    volatile RegisteredTarget target;

    @Override
    public Interaction initiateRequest() {
      RegisteredTarget t = target;
      if (t == null || !t.tryStartRequest()) {
        return Interaction.UNCOUNTED;
      }
      return new Interaction(t, System.nanoTime());
    }

    @Override
    public void reportFailure(Interaction interaction, Throwable failure) {
      if (interaction != null) {
        interaction.end(FailureKind.classify(failure).outcome());
      }
    }

    @Override
    public void reportResponseEnd(Interaction interaction) {
      if (interaction != null) {
        interaction.end(RequestOutcome.SUCCESS);
      }
    }
  }

  /** One request on a target; ends at most once (a failure reported after the response end is ignored). */
  static final class Interaction extends AtomicBoolean {
    private static final long serialVersionUID = 1L;
    static final Interaction UNCOUNTED = new Interaction(null, 0);

    private final transient RegisteredTarget target;
    private final long startNanos;

    Interaction(RegisteredTarget target, long startNanos) {
      super(target == null);
      this.target = target;
      this.startNanos = startNanos;
    }

    void end(RequestOutcome outcome) {
      if (compareAndSet(false, true)) {
        target.endRequest(outcome, System.nanoTime() - startNanos);
      }
    }
  }
}
