package dev.loadstar.routing.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loadstar.routing.Action;
import dev.loadstar.routing.ListenerConfig;
import dev.loadstar.routing.RuleSet;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A graceful stop lets a request in flight finish and refuses new connections. */
@Timeout(60)
class GracefulShutdownTest {

  private final GatewayFixture f = new GatewayFixture();

  @AfterEach
  void close() {
    f.close();
  }

  @Test
  void aRequestInFlightAtShutdownCompletesAndANewConnectionIsRefused() throws Exception {
    AtomicReference<HttpServerRequest> held = new AtomicReference<>();
    HttpServer slow = f.vertx.createHttpServer().requestHandler(held::set).listen(0, "127.0.0.1").await();
    f.group("web", slow.actualPort());
    f.start(RuleSet.of(Action.forward("web")), ListenerConfig.builder().eventLoops(2));
    int port = f.listener.actualPort();
    Future<GatewayFixture.Resp> inFlight = f.sendAsync(HttpMethod.GET, "/slow", null, null);
    await().atMost(Duration.ofSeconds(10)).until(() -> held.get() != null);

    Future<Void> stopped = f.listener.shutdown(Duration.ofSeconds(20));
    // the port stops accepting at once
    await().atMost(Duration.ofSeconds(10)).until(() -> refused(port));
    assertThat(stopped.isComplete()).isFalse();

    Promise<Void> answered = Promise.promise();
    f.vertx.runOnContext(v -> held.get().response().end("done").onComplete(answered));
    answered.future().await();
    GatewayFixture.Resp r = inFlight.await();
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("done");
    stopped.await();
    assertThat(f.listener.shutdown(Duration.ofSeconds(1))).isSameAs(stopped);
  }

  private static boolean refused(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      return false;
    } catch (ConnectException e) {
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }
}
