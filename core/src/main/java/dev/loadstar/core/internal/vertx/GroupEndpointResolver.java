package dev.loadstar.core.internal.vertx;

import dev.loadstar.core.HealthChangeEvent;
import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupListener;
import dev.loadstar.core.vertx.TargetGroupAddress;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.Address;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.endpoint.EndpointBuilder;
import io.vertx.core.spi.endpoint.EndpointResolver;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Vert.x's endpoint resolver SPI over target groups. The state of a resolved address subscribes to the group's
 * events; any membership, health or fail-open change bumps a version, and the next selection rebuilds the list
 * of servers (the group's targets that may take new requests) with the builder Vert.x gave at resolution.
 *
 * @param <E> Vert.x's endpoint type (opaque here)
 */
public final class GroupEndpointResolver<E>
    implements EndpointResolver<TargetGroupAddress, RegisteredTarget, GroupEndpointResolver.State<E>, E> {

  private final Function<String, TargetGroup> lookup;
  private final Set<State<E>> states = ConcurrentHashMap.newKeySet();

  /** A resolver looking groups up by name. */
  public GroupEndpointResolver(Function<String, TargetGroup> lookup) {
    this.lookup = lookup;
  }

  @Override
  public TargetGroupAddress tryCast(Address address) {
    return address instanceof TargetGroupAddress ? (TargetGroupAddress) address : null;
  }

  @Override
  public SocketAddress addressOf(RegisteredTarget server) {
    Target t = server.target();
    return SocketAddress.inetSocketAddress(t.port(), t.host());
  }

  @Override
  public JsonObject propertiesOf(RegisteredTarget server) {
    Target t = server.target();
    JsonObject json = new JsonObject().put("id", t.id()).put("weight", t.weight())
        .put("health", server.health().state().apiName());
    if (t.zone() != null) {
      json.put("zone", t.zone());
    }
    if (!t.metadata().isEmpty()) {
      json.put("metadata", new JsonObject(new java.util.LinkedHashMap<>(t.metadata())));
    }
    return json;
  }

  @Override
  public Future<State<E>> resolve(TargetGroupAddress address, EndpointBuilder<E, RegisteredTarget> builder) {
    TargetGroup group = lookup.apply(address.name());
    if (group == null) {
      return Future.failedFuture(new IllegalArgumentException(
          "address: " + address.name() + " (expected: the name of a target group added to the resolver)"));
    }
    State<E> state = new State<>(address.name(), group, builder);
    states.add(state);
    return Future.succeededFuture(state);
  }

  @Override
  public E endpoint(State<E> state) {
    return state.endpoint();
  }

  @Override
  public boolean isValid(State<E> state) {
    return !state.disposed && lookup.apply(state.name) == state.group;
  }

  @Override
  public void dispose(State<E> state) {
    state.dispose();
    states.remove(state);
  }

  @Override
  public void close() {
    for (State<E> s : states) {
      s.dispose();
    }
    states.clear();
  }

  /** One resolved group: its current list of servers, rebuilt after each change of the group. */
  public static final class State<E> implements TargetGroupListener {
    private final String name;
    private final TargetGroup group;
    private final EndpointBuilder<E, RegisteredTarget> builder;
    private final Runnable unsubscribe;
    private final AtomicLong version = new AtomicLong();
    private volatile Built<E> built;
    private volatile boolean disposed;

    private record Built<E>(long version, E endpoint) {
    }

    State(String name, TargetGroup group, EndpointBuilder<E, RegisteredTarget> builder) {
      this.name = name;
      this.group = group;
      this.builder = builder;
      this.unsubscribe = group.addListener(this);
    }

    E endpoint() {
      Built<E> b = built;
      if (b != null && b.version() == version.get()) {
        return b.endpoint();
      }
      return rebuild();
    }

    private synchronized E rebuild() {
      long v = version.get();
      Built<E> b = built;
      if (b != null && b.version() == v) {
        return b.endpoint();
      }
      EndpointBuilder<E, RegisteredTarget> eb = builder;
      for (RegisteredTarget t : group.targets()) {
        // a plain Vert.x client reaches host:port targets only (function and balancer targets need Loadstar's own
        // front ends); a selection landing on one rotates over these instead
        if (t.target().kind().isNetwork() && group.routableTarget(t.target().id()) == t) {
          eb = eb.addServer(t, t.target().id());
        }
      }
      E e = eb.build();
      built = new Built<>(v, e);
      return e;
    }

    void dispose() {
      if (!disposed) {
        disposed = true;
        unsubscribe.run();
      }
    }

    private void changed() {
      version.incrementAndGet();
    }

    @Override
    public void onTargetRegistered(TargetGroup g, RegisteredTarget target) {
      changed();
    }

    @Override
    public void onTargetDraining(TargetGroup g, RegisteredTarget target) {
      changed();
    }

    @Override
    public void onTargetDeregistered(TargetGroup g, RegisteredTarget target) {
      changed();
    }

    @Override
    public void onHealthChanged(HealthChangeEvent event) {
      changed();
    }

    @Override
    public void onFailOpenChanged(TargetGroup g, boolean failingOpen) {
      changed();
    }
  }
}
