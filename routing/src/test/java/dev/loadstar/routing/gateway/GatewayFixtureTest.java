package dev.loadstar.routing.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loadstar.routing.Action;
import dev.loadstar.routing.ListenerConfig;
import dev.loadstar.routing.RuleSet;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The test client itself: it must read every response completely however late the calling thread looks. */
class GatewayFixtureTest {

  private final GatewayFixture f = new GatewayFixture();

  @AfterEach
  void tearDown() {
    f.close();
  }

  @Test
  void responseIsCompleteEvenWhenTheCallerLooksOnlyAfterItArrived() {
    f.group("web", f.backend("i-a"));
    f.start(RuleSet.of(Action.forward("web")), ListenerConfig.builder());
    for (int i = 0; i < 5; i++) {
      // the caller does nothing until the exchange is over: what a descheduled JUnit thread does on a loaded machine
      Future<GatewayFixture.Resp> r = f.sendAsync(HttpMethod.GET, "/", null, null);
      await().atMost(GatewayFixture.RESPONSE_TIMEOUT.plus(Duration.ofSeconds(5))).until(r::isComplete);
      assertThat(r.await().status()).isEqualTo(200);
      assertThat(r.await().body()).isEqualTo("i-a");
    }
  }
}
