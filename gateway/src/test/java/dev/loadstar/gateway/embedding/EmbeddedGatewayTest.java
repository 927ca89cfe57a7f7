package dev.loadstar.gateway.embedding;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loadstar.gateway.GatewayRuntime;
import dev.loadstar.gateway.config.GatewayConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An application embeds the gateway through its public API only (this package is outside the gateway's): read a
 * YAML file, start, serve a request, close. The first lines of the test are the README's snippet.
 */
@Timeout(60)
class EmbeddedGatewayTest {

  @Test
  void anApplicationReadsAFileStartsTheGatewayServesARequestAndClosesIt() throws URISyntaxException {
    Path file = Path.of(getClass().getResource("/embedded.yaml").toURI());

    Vertx vertx = Vertx.vertx();
    GatewayConfig config = GatewayConfig.load(file);             // ConfigException lists every error
    GatewayRuntime gateway = GatewayRuntime.create(vertx, config);
    gateway.start().await();                                     // listeners bound, groups and checks running
    int port = gateway.listenerPort("web");
    // ... the application serves traffic on port ...
    String body = get(vertx, port);
    gateway.close().await();                                     // listeners, checks, scaling groups, admin API
    vertx.close().await();

    assertThat(body).isEqualTo("200 hello from loadstar");
    assertThat(port).isPositive();
  }

  private static String get(Vertx vertx, int port) {
    HttpClient client = vertx.createHttpClient();
    try {
      return client.request(HttpMethod.GET, port, "127.0.0.1", "/")
          .compose(req -> req.send())
          .compose(r -> r.body().map(b -> r.statusCode() + " " + b))
          .await();
    } finally {
      client.close().await();
    }
  }
}
