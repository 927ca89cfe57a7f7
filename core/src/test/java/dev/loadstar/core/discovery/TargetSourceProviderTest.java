package dev.loadstar.core.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TargetSourceProviderTest {

  @Test
  void aSourceTypeFromAnotherModuleIsFoundByNameAndFeedsTheGroup() {
    Vertx vertx = Vertx.vertx();
    try {
      TargetGroup group = TargetGroup.create(vertx, TargetGroupConfig.builder("plugged").build());
      DiscoveryConfig config = DiscoveryConfig.fromJson(new JsonObject().put("sources", new JsonArray()
          .add(new JsonObject().put("type", "test-fixed").put("name", "cluster").put("port", 9300))));
      TargetDiscovery discovery = TargetDiscovery.start(vertx, group, config);
      discovery.whenReady(Duration.ofSeconds(10)).await();
      assertThat(group.target("fixed-9300")).isNotNull();
      assertThat(discovery.status("cluster").type()).isEqualTo("test-fixed");
      discovery.close().await();
      group.close().await();
    } finally {
      vertx.close().await();
    }
  }

  @Test
  void aProvidersValidationErrorIsPrefixedWithTheSourcesPath() {
    assertThatThrownBy(() -> DiscoveryConfig.fromJson(new JsonObject().put("sources", new JsonArray()
        .add(new JsonObject().put("type", "static").put("targets", new JsonArray().add("127.0.0.1:80")))
        .add(new JsonObject().put("type", "test-fixed").put("port", 0)))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sources[1].port: 0 (expected: 1-65535)");
  }

  @Test
  void anUnknownTypeListsTheBuiltInsAndTheProvidersOnTheClassPath() {
    assertThatThrownBy(() -> TargetSource.create("consul", new JsonObject()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("type: \"consul\" (expected: one of static, dns, file, test-fixed)");
  }
}
