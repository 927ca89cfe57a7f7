package dev.loadstar.routing.internal.gateway;

import dev.loadstar.core.AttemptEngine;
import dev.loadstar.core.Balancer;
import dev.loadstar.core.Exchange;
import dev.loadstar.core.RetryPolicy;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.time.TimeSource;
import dev.loadstar.routing.TcpListener;
import dev.loadstar.routing.TlsConfig;
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

/**
 * Connection-level balancing with Vert.x NetServer/NetClient and pipes; with TLS settings the server terminates TLS
 * ({@link ListenerTls}) and the plaintext stream goes to the targets.
 */
public final class DefaultTcpListener implements TcpListener {

  private final Vertx vertx;
  private final String host;
  private final int port;
  private final TargetGroup group;
  private final NetClient client;
  private final Duration idleTimeout;
  private final String name;
  private final AttemptEngine engine;
  private final AtomicInteger active = new AtomicInteger();
  /** The limit on open client connections (its refusals count in {@link #rejected}). */
  private final ConnectionLimit connections;
  private final LongAdder rejected = new LongAdder();
  private final LongAdder tlsErrors = new LongAdder();
  /** TLS termination, or null for plain TCP. */
  private final ListenerTls tls;
  private volatile NetServer server;
  private volatile Future<Void> closeFuture;

  /** A listener; use {@link TcpListener#builder}. */
  public DefaultTcpListener(Vertx vertx, String host, int port, TargetGroup group, Duration idleTimeout,
      Duration connectTimeout, String name, String localZone, RetryPolicy retryPolicy, TlsConfig tls,
      int maxConnections) {
    this.vertx = vertx;
    this.connections = new ConnectionLimit(maxConnections, rejected);
    this.name = name;
    TimeSource time = TimeSource.system(vertx);
    this.engine = AttemptEngine.create(retryPolicy, time, dev.loadstar.core.ExchangeListener.Factory.NONE, localZone);
    this.tls = tls == null ? null : new ListenerTls(vertx, tls, time, tlsErrors, name);
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
    Future<Void> ready = tls == null ? Future.succeededFuture() : tls.load();
    return ready.compose(v -> {
      NetServerOptions options = new NetServerOptions().setHost(host).setPort(port)
          .setIdleTimeout((int) idleTimeout.getSeconds()).setIdleTimeoutUnit(TimeUnit.SECONDS);
      if (tls != null) {
        tls.configure(options, false);
      }
      NetServer s = vertx.createNetServer(options).connectHandler(this::accept);
      if (tls != null) {
        s.exceptionHandler(tls::serverException);
      }
      return s.listen();
    }).map(bound -> {
      server = bound;
      if (tls != null) {
        tls.watch(() -> List.of(bound::updateSSLOptions));
      }
      return null;
    });
  }

  private void accept(NetSocket front) {
    if (!connections.tryAcquire()) {
      front.close();
      return;
    }
    front.closeHandler(v -> connections.release());
    front.pause();
    connect(front, engine.connection(group));
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

  private void connect(NetSocket front, Exchange exchange) {
    if (exchange.start() != Exchange.Step.ATTEMPT) {
      rejected.increment();
      exchange.finish(0);
      front.close();
      return;
    }
    client.connect(exchange.port(), exchange.host()).onComplete(ar -> {
      if (ar.failed()) {
        // nothing was sent: the connection goes to another target, as the retry policy allows
        exchange.failed(exchange.classify(ar.cause(), false));
        connect(front, exchange);
        return;
      }
      NetSocket back = ar.result();
      active.incrementAndGet();
      AtomicInteger open = new AtomicInteger(2);
      Runnable oneDone = () -> {
        if (open.decrementAndGet() == 0) {
          active.decrementAndGet();
          exchange.succeeded(0);
          exchange.finish(0);
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
  public long clientTlsNegotiationErrors() {
    return tlsErrors.sum();
  }

  @Override
  public synchronized Future<Void> close() {
    if (closeFuture == null) {
      if (tls != null) {
        tls.close();
      }
      NetServer s = server;
      Future<Void> f = s == null ? Future.succeededFuture() : s.close();
      closeFuture = f.transform(ar -> client.close()).transform(ar -> Future.succeededFuture());
    }
    return closeFuture;
  }
}
