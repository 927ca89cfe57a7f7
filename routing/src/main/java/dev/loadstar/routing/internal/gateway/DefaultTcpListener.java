package dev.loadstar.routing.internal.gateway;

import dev.loadstar.core.Balancer;
import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.RequestOutcome;
import dev.loadstar.core.SelectionContext;
import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.internal.TargetRoute;
import dev.loadstar.routing.TcpListener;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** Connection-level balancing with Vert.x NetServer/NetClient and pipes. */
public final class DefaultTcpListener implements TcpListener {

  private final Vertx vertx;
  private final String host;
  private final int port;
  private final TargetGroup group;
  private final NetClient client;
  private final Duration idleTimeout;
  private final String name;
  private final SelectionContext selection;
  private final AtomicInteger active = new AtomicInteger();
  private final LongAdder rejected = new LongAdder();
  private volatile NetServer server;
  private volatile Future<Void> closeFuture;

  /** A listener; use {@link TcpListener#builder}. */
  public DefaultTcpListener(Vertx vertx, String host, int port, TargetGroup group, Duration idleTimeout,
      Duration connectTimeout, String name, String localZone) {
    this.vertx = vertx;
    this.name = name;
    this.selection = SelectionContext.inZone(localZone);
    this.host = host;
    this.port = port;
    this.group = group;
    this.idleTimeout = idleTimeout;
    this.client = vertx.createNetClient(new NetClientOptions()
        .setConnectTimeout((int) connectTimeout.toMillis())
        .setIdleTimeout((int) idleTimeout.getSeconds()).setIdleTimeoutUnit(TimeUnit.SECONDS));
  }

  @Override
  public Future<Void> start() {
    NetServer s = vertx.createNetServer(new NetServerOptions().setHost(host).setPort(port)
        .setIdleTimeout((int) idleTimeout.getSeconds()).setIdleTimeoutUnit(TimeUnit.SECONDS))
        .connectHandler(this::accept);
    return s.listen().map(bound -> {
      server = bound;
      return null;
    });
  }

  private void accept(NetSocket front) {
    front.pause();
    connect(front, null);
  }

  @Override
  public String balancerName() {
    return name;
  }

  @Override
  public Collection<? extends Balancer> downstream() {
    return List.of(group);
  }

  /** The bound address while listening (a wildcard bind is reached on the loopback address), else null. */
  @Override
  public SocketAddress address() {
    NetServer s = server;
    if (s == null || closeFuture != null) {
      return null;
    }
    String h = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
    return SocketAddress.inetSocketAddress(s.actualPort(), h);
  }

  private RegisteredTarget pick(RegisteredTarget avoid) {
    for (int i = 0; i < 8; i++) {
      RegisteredTarget t = group.select(selection);
      if (t == null) {
        return null;
      }
      if (t == avoid || t.target().kind() == Target.Kind.FUNCTION) {
        continue; // a function target takes no TCP connection
      }
      if (t.tryStartRequest()) {
        return t;
      }
    }
    return null;
  }

  private void connect(NetSocket front, RegisteredTarget previous) {
    RegisteredTarget t = pick(previous);
    if (t == null) {
      rejected.increment();
      front.close();
      return;
    }
    TargetRoute route = TargetRoute.of(t);
    if (!route.descend(selection) || route.host() == null) {
      // a nested group had no (TCP-reachable) target, or a nested listener is not listening
      route.end(RequestOutcome.CONNECT_FAILURE, 0);
      if (previous == null) {
        connect(front, t);
      } else {
        rejected.increment();
        front.close();
      }
      return;
    }
    long start = System.nanoTime();
    client.connect(route.port(), route.host()).onComplete(ar -> {
      if (ar.failed()) {
        route.end(RequestOutcome.CONNECT_FAILURE, System.nanoTime() - start);
        if (previous == null) {
          connect(front, t);
        } else {
          rejected.increment();
          front.close();
        }
        return;
      }
      NetSocket back = ar.result();
      active.incrementAndGet();
      AtomicInteger open = new AtomicInteger(2);
      Runnable oneDone = () -> {
        if (open.decrementAndGet() == 0) {
          active.decrementAndGet();
          route.end(RequestOutcome.SUCCESS, System.nanoTime() - start);
        }
      };
      // each pipe ends (closes) its destination when its source ends or fails
      front.pipeTo(back).onComplete(x -> {
        back.close();
        oneDone.run();
      });
      back.pipeTo(front).onComplete(x -> {
        front.close();
        oneDone.run();
      });
    });
  }

  @Override
  public int actualPort() {
    NetServer s = server;
    return s == null ? -1 : s.actualPort();
  }

  @Override
  public int activeConnections() {
    return active.get();
  }

  @Override
  public long rejectedConnections() {
    return rejected.sum();
  }

  @Override
  public synchronized Future<Void> close() {
    if (closeFuture == null) {
      NetServer s = server;
      Future<Void> f = s == null ? Future.succeededFuture() : s.close();
      closeFuture = f.transform(ar -> client.close()).transform(ar -> Future.succeededFuture());
    }
    return closeFuture;
  }
}
