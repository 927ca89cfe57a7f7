package dev.loadstar.routing.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.routing.ListenerConfig;
import dev.loadstar.routing.TcpListener;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Listener names and zones: defaults and validation messages. */
class ListenerBalancerSettingsTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  @Test
  void httpListenerNameAndZoneDefaultsAndValidation() {
    ListenerConfig c = ListenerConfig.builder().port(8080).build();
    assertThat(c.name()).isEqualTo("http-8080");
    assertThat(c.localZone()).isNull();
    assertThat(ListenerConfig.builder().name("front").localZone("zone-a").build().localZone()).isEqualTo("zone-a");
    assertThatThrownBy(() -> ListenerConfig.builder().name("front door").build())
        .hasMessage("name: \"front door\" (expected: 1-128 letters, digits, -, _, . and :)");
    assertThatThrownBy(() -> ListenerConfig.builder().localZone("").build())
        .hasMessage("localZone: \"\" (expected: a non-blank string)");
  }

  @Test
  void tcpListenerBuilderDefaultsAndValidation() {
    TargetGroup g = TargetGroup.create(vertx, TargetGroupConfig.builder("g").build());
    TcpListener t = TcpListener.builder(vertx).host("127.0.0.1").port(7000).targetGroup(g).build();
    assertThat(t.balancerName()).isEqualTo("tcp-7000");
    assertThat(t.balancerType()).isEqualTo("listener");
    assertThat(t.downstream()).hasSize(1);
    assertThat(t.downstream().iterator().next()).isSameAs(g);
    assertThat(t.address()).isNull(); // not started
    assertThatThrownBy(() -> TcpListener.builder(vertx).build()).hasMessage("group: null (expected: a value)");
    assertThatThrownBy(() -> TcpListener.builder(vertx).targetGroup(g).port(70000).build())
        .hasMessage("port: 70000 (expected: 0-65535)");
    assertThatThrownBy(() -> TcpListener.builder(vertx).targetGroup(g).name("a b").build())
        .hasMessage("name: \"a b\" (expected: 1-128 letters, digits, -, _, . and :)");
  }
}
