package dev.loadstar.samples;

import dev.loadstar.core.LoadBalancedClient;
import dev.loadstar.core.LoadBalancedResponse;
import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * The smallest runnable sample: two instances behind a target group, ten requests through the client.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Two local instances behind a target group; ten requests alternate between them.")
final class DemoCommand implements Callable<Integer> {

  @Override
  public Integer call() {
    Vertx vertx = Vertx.vertx();
    try {
      TargetGroup group = TargetGroup.create(vertx, TargetGroupConfig.builder("MyWebTargetGroup").build());
      for (String id : new String[] {"i-0a1", "i-0b2"}) {
        HttpServer server = vertx.createHttpServer()
            .requestHandler(req -> req.response().end("<h1>" + id + "</h1>"))
            .listen(0, "127.0.0.1").await();
        group.register(Target.of(id, "127.0.0.1", server.actualPort()));
      }
      LoadBalancedClient client = LoadBalancedClient.create(vertx).addTargetGroup(group);
      String previous = null;
      boolean alternated = true;
      for (int i = 1; i <= 10; i++) {
        LoadBalancedResponse r = client.get("MyWebTargetGroup", "/").send().await();
        System.out.printf("request %2d -> %s %d %s%n", i, r.target().id(), r.statusCode(), r.bodyAsString());
        alternated &= !r.target().id().equals(previous);
        previous = r.target().id();
      }
      System.out.println(alternated ? "round robin alternated between the two instances" : "NOT alternating");
      client.close().await();
      return alternated ? 0 : 1;
    } finally {
      vertx.close().await();
    }
  }
}
