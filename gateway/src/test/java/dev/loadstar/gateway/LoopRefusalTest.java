package dev.loadstar.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loadstar.core.Target;
import dev.loadstar.gateway.config.GatewayConfig;
import dev.loadstar.gateway.config.TargetGroupSpec;
import dev.loadstar.gateway.config.TargetSpec;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A loop through balancer targets is refused at start too, by core's check when the balancer target is registered,
 * for a configuration assembled in code that never went through the file validator (the file's loop errors are in
 * {@code TargetKindsConfigTest} and {@code CommandLineTest}).
 */
@Timeout(60)
class LoopRefusalTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  @Test
  void aLoopAssembledInCodeFailsTheStartWithTheCycleNamedAndReleasesThePorts() {
    GatewayConfig valid = GatewayConfig.parse("""
        admin: {enabled: false}
        listeners:
          - name: edge
            host: 127.0.0.1
            port: 0
            defaultActions: [{type: forward, targetGroupName: web}]
        targetGroups:
          - name: web
        """, "loop.yaml", false, Map.<String, String>of()::get);
    TargetGroupSpec web = valid.targetGroups().get(0);
    TargetSpec back = new TargetSpec("targetGroups[0].targets[0]", "back", Target.Kind.BALANCER, null, null, "edge",
        null, 1, null, Map.of(), null);
    GatewayConfig looped = new GatewayConfig("code", valid.admin(), List.of(new TargetGroupSpec(web.config(),
        List.of(back), web.healthCheck(), web.outlierDetection(), null)), valid.listeners(), List.of());
    GatewayRuntime runtime = GatewayRuntime.create(vertx, looped);
    assertThatThrownBy(() -> runtime.start().await()).hasMessage("target group web: target: back (expected: no loop; "
        + "target group web -> listener edge -> target group web)");
    assertThat(runtime.close().await()).isNull();
    assertThat(runtime.listenerPort("edge")).isLessThanOrEqualTo(0);
  }
}
