package dev.loadstar.samples.microservices;

import io.vertx.core.Vertx;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** The {@code orders} subcommand: the microservices sample, run once with its checks. */
@Command(name = "orders", mixinStandardHelpOptions = true,
    description = {
        "Microservices sample: 'orders' calls 'inventory' and 'pricing' (2 in-process instances each) through one"
            + " LoadBalancedClient routed by host (inventory.internal, pricing.internal). A shopper places 60 orders"
            + " while one inventory instance is killed (retries hide it), then fills a cart that stickiness keeps"
            + " on one pricing instance. Exits 0 when every check held."})
public final class OrdersCommand implements Callable<Integer> {

  @Override
  public Integer call() {
    Vertx vertx = Vertx.vertx();
    try {
      return new OrdersSample(vertx, System.out).run();
    } finally {
      vertx.close().await();
    }
  }
}
