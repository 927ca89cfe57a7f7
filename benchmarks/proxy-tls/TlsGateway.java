import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.routing.Action;
import dev.loadstar.routing.HttpListener;
import dev.loadstar.routing.ListenerConfig;
import dev.loadstar.routing.RuleSet;
import dev.loadstar.routing.TlsConfig;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The gateway for the HTTPS proxy benchmark, on the public API: one listener on 127.0.0.1 forwarding round robin to
 * two backends, HTTPS with one PEM certificate (ALB's default security policy) or plain HTTP. Runs until killed.
 *
 * <pre>
 * java -cp samples/target/loadstar.jar benchmarks/proxy-tls/TlsGateway.java PORT EVENT_LOOPS B1 B2 [CERT KEY]
 * </pre>
 */
public final class TlsGateway {

  private TlsGateway() {
  }

  /** Starts the listener; prints "listening on PORT" once it accepts connections. */
  public static void main(String[] args) throws InterruptedException {
    if (args.length != 4 && args.length != 6) {
      System.err.println("usage: TlsGateway PORT EVENT_LOOPS B1_PORT B2_PORT [CERT_PEM KEY_PEM]");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    int loops = Integer.parseInt(args[1]);
    // as the gateway command: Netty's native transport (epoll) when the jar carries it
    Vertx vertx = Vertx.vertx(new io.vertx.core.VertxOptions().setPreferNativeTransport(true));
    TargetGroup be = TargetGroup.create(vertx, TargetGroupConfig.builder("be").build());
    be.register(Target.of("b1", "127.0.0.1", Integer.parseInt(args[2])));
    be.register(Target.of("b2", "127.0.0.1", Integer.parseInt(args[3])));
    ListenerConfig.Builder config = ListenerConfig.builder().name("bench").host("127.0.0.1").port(port)
        .eventLoops(loops);
    if (args.length == 6) {
      config.tls(TlsConfig.builder().certificate(args[4], args[5]).build());
    }
    HttpListener listener = HttpListener.builder(vertx).config(config.build())
        .rules(RuleSet.of(Action.forward("be"))).targetGroups(Map.of("be", be)::get).build();
    listener.start().await();
    System.out.println("listening on " + port + (args.length == 6 ? " (HTTPS)" : " (HTTP)"));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      listener.close().await();
      vertx.close().await();
      stopped.countDown();
    }));
    stopped.await();
  }
}
