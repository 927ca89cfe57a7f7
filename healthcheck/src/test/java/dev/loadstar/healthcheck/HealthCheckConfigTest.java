package dev.loadstar.healthcheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class HealthCheckConfigTest {

  @Test
  void defaultsAreAlbs() {
    HealthCheck hc = HealthCheck.defaults();
    assertThat(hc.protocol()).isEqualTo(HealthCheck.Protocol.HTTP);
    assertThat(hc.usesTrafficPort()).isTrue();
    assertThat(hc.portName()).isEqualTo("traffic-port");
    assertThat(hc.path()).isEqualTo("/");
    assertThat(hc.interval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(hc.timeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(hc.healthyThresholdCount()).isEqualTo(5);
    assertThat(hc.unhealthyThresholdCount()).isEqualTo(2);
    assertThat(hc.matcher()).isEqualTo("200");
    assertThat(hc.matches(200)).isTrue();
    assertThat(hc.matches(201)).isFalse();
    assertThat(hc.embedded()).isFalse();
  }

  @Test
  void albRangesAreEnforcedWithAlbNames() {
    assertThatThrownBy(() -> HealthCheck.builder().interval(Duration.ofSeconds(4)).timeout(Duration.ofSeconds(2))
        .build()).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("HealthCheckIntervalSeconds: 4 (expected: 5-300 whole seconds, or 0.01-300 with embedded(true))");
    assertThatThrownBy(() -> HealthCheck.builder().interval(Duration.ofSeconds(301)).build())
        .hasMessage("HealthCheckIntervalSeconds: 301 (expected: 5-300 whole seconds, or 0.01-300 with embedded(true))");
    assertThatThrownBy(() -> HealthCheck.builder().timeout(Duration.ofSeconds(1)).build())
        .hasMessage("HealthCheckTimeoutSeconds: 1 (expected: 2-120 whole seconds, or 0.001-120 with embedded(true))");
    assertThatThrownBy(() -> HealthCheck.builder().interval(Duration.ofMillis(200)).build())
        .hasMessage("HealthCheckIntervalSeconds: 0.2 (expected: 5-300 whole seconds, or 0.01-300 with embedded(true))");
    assertThatThrownBy(() -> HealthCheck.builder().healthyThresholdCount(1).build())
        .hasMessage("HealthyThresholdCount: 1 (expected: 2-10)");
    assertThatThrownBy(() -> HealthCheck.builder().unhealthyThresholdCount(11).build())
        .hasMessage("UnhealthyThresholdCount: 11 (expected: 2-10)");
    assertThatThrownBy(() -> HealthCheck.builder().port(0))
        .hasMessage("HealthCheckPort: 0 (expected: 1-65535)");
    assertThatThrownBy(() -> HealthCheck.builder().path("health").build())
        .hasMessage("HealthCheckPath: \"health\" (expected: a path starting with / of at most 1024 visible ASCII "
            + "characters, optionally with a query)");
  }

  @Test
  void timeoutMustBeBelowTheInterval() {
    assertThatThrownBy(() -> HealthCheck.builder().interval(Duration.ofSeconds(10)).timeout(Duration.ofSeconds(10))
        .build()).hasMessage("HealthCheckTimeoutSeconds: 10 (expected: less than HealthCheckIntervalSeconds 10)");
    assertThatThrownBy(() -> HealthCheck.builder().embedded(true).interval(Duration.ofMillis(100))
        .timeout(Duration.ofMillis(150)).build())
        .hasMessage("HealthCheckTimeoutSeconds: 0.15 (expected: less than HealthCheckIntervalSeconds 0.1)");
  }

  @Test
  void embeddedRangesAllowSubSecondIntervalsOnlyWhenAskedFor() {
    HealthCheck hc = HealthCheck.builder().embedded(true).interval(Duration.ofMillis(100))
        .timeout(Duration.ofMillis(50)).build();
    assertThat(hc.interval()).isEqualTo(Duration.ofMillis(100));
    assertThat(hc.embedded()).isTrue();
    assertThatThrownBy(() -> HealthCheck.builder().embedded(true).interval(Duration.ofMillis(5))
        .timeout(Duration.ofMillis(1)).build())
        .hasMessage("HealthCheckIntervalSeconds: 0.005 (expected: 0.01-300 in whole milliseconds)");
    assertThatThrownBy(() -> HealthCheck.builder().embedded(true).interval(Duration.ofMillis(100))
        .timeout(Duration.ofNanos(1_500_000)).build())
        .hasMessage("HealthCheckTimeoutSeconds: 0.0015 (expected: 0.001-120 in whole milliseconds)");
  }

  @Test
  void matcherAcceptsSingleListAndRangeWithinAlbCodes() {
    HealthCheck list = HealthCheck.builder().matcher("200,202").build();
    assertThat(list.matches(200)).isTrue();
    assertThat(list.matches(201)).isFalse();
    assertThat(list.matches(202)).isTrue();
    HealthCheck range = HealthCheck.builder().matcher("200-299").build();
    assertThat(range.matches(199)).isFalse();
    assertThat(range.matches(250)).isTrue();
    assertThat(range.matches(299)).isTrue();
    assertThat(range.matches(300)).isFalse();
    HealthCheck mixed = HealthCheck.builder().matcher("200, 300-302").build();
    assertThat(mixed.matches(301)).isTrue();
    assertThat(mixed.matches(303)).isFalse();
    String expected = " (expected: codes 200-499 as \"200\", \"200,202\" or \"200-299\")";
    assertThatThrownBy(() -> HealthCheck.builder().matcher("500").build())
        .hasMessage("Matcher.HttpCode: \"500\"" + expected);
    assertThatThrownBy(() -> HealthCheck.builder().matcher("199-200").build())
        .hasMessage("Matcher.HttpCode: \"199-200\"" + expected);
    assertThatThrownBy(() -> HealthCheck.builder().matcher("299-200").build())
        .hasMessage("Matcher.HttpCode: \"299-200\"" + expected);
    assertThatThrownBy(() -> HealthCheck.builder().matcher("ok").build())
        .hasMessage("Matcher.HttpCode: \"ok\"" + expected);
    assertThatThrownBy(() -> HealthCheck.builder().matcher("200,").build())
        .hasMessage("Matcher.HttpCode: \"200,\"" + expected);
  }

  @Test
  void tcpChecksTakeNoPathNorMatcher() {
    assertThatThrownBy(() -> HealthCheck.builder().protocol(HealthCheck.Protocol.TCP).path("/health").build())
        .hasMessage("HealthCheckPath: \"/health\" (expected: no path with HealthCheckProtocol TCP)");
    assertThatThrownBy(() -> HealthCheck.builder().protocol(HealthCheck.Protocol.TCP).matcher("200-299").build())
        .hasMessage("Matcher.HttpCode: \"200-299\" (expected: no matcher with HealthCheckProtocol TCP)");
    assertThatThrownBy(() -> HealthCheck.builder().protocol(HealthCheck.Protocol.TCP).reuseConnections(true).build())
        .hasMessage("reuseConnections: true (expected: false with HealthCheckProtocol TCP (a TCP check is a connect))");
  }

  @Test
  void jsonUsesAlbKeysAndRoundTrips() {
    HealthCheck hc = HealthCheck.builder().protocol(HealthCheck.Protocol.HTTPS).port(8443).path("/health?deep=1")
        .interval(Duration.ofSeconds(10)).timeout(Duration.ofSeconds(3)).healthyThresholdCount(3)
        .unhealthyThresholdCount(4).matcher("200-299").build();
    JsonObject json = hc.toJson();
    assertThat(json).isEqualTo(new JsonObject("{\"HealthCheckProtocol\":\"HTTPS\",\"HealthCheckPort\":\"8443\","
        + "\"HealthCheckPath\":\"/health?deep=1\",\"HealthCheckIntervalSeconds\":10,\"HealthCheckTimeoutSeconds\":3,"
        + "\"HealthyThresholdCount\":3,\"UnhealthyThresholdCount\":4,\"Matcher\":{\"HttpCode\":\"200-299\"}}"));
    assertThat(HealthCheck.fromJson(json)).isEqualTo(hc);
    HealthCheck embedded = HealthCheck.fromJson(new JsonObject("{\"Embedded\":true,"
        + "\"HealthCheckIntervalSeconds\":0.25,\"HealthCheckTimeoutSeconds\":0.1}"));
    assertThat(embedded.interval()).isEqualTo(Duration.ofMillis(250));
    assertThat(embedded.timeout()).isEqualTo(Duration.ofMillis(100));
    assertThat(HealthCheck.fromJson(embedded.toJson())).isEqualTo(embedded);
    HealthCheck tuned = HealthCheck.builder().reuseConnections(true).maxConcurrentChecks(64).build();
    assertThat(tuned.toJson().getBoolean("ReuseConnections")).isTrue();
    assertThat(tuned.toJson().getInteger("MaxConcurrentChecks")).isEqualTo(64);
    assertThat(HealthCheck.fromJson(tuned.toJson())).isEqualTo(tuned);
    assertThatThrownBy(() -> HealthCheck.builder().maxConcurrentChecks(0).build())
        .hasMessage("maxConcurrentChecks: 0 (expected: 1-100000)");
    assertThatThrownBy(() -> HealthCheck.fromJson(new JsonObject("{\"HealthCheckProtocol\":\"UDP\"}")))
        .hasMessage("HealthCheckProtocol: UDP (expected: HTTP, HTTPS, TCP or GRPC)");
  }

  @Test
  void outlierDetectionDefaultsAndValidation() {
    OutlierDetection od = OutlierDetection.defaults();
    assertThat(od.enabled()).isTrue();
    assertThat(od.consecutiveFailures()).isEqualTo(5);
    assertThat(od.baseEjectionTime()).isEqualTo(Duration.ofSeconds(30));
    assertThat(od.maxEjectionTime()).isEqualTo(Duration.ofSeconds(300));
    assertThat(od.maxEjectionPercent()).isEqualTo(50);
    assertThat(od.ejectionTime(1)).isEqualTo(Duration.ofSeconds(30));
    assertThat(od.ejectionTime(3)).isEqualTo(Duration.ofSeconds(90));
    assertThat(od.ejectionTime(20)).isEqualTo(Duration.ofSeconds(300));
    assertThat(OutlierDetection.disabled().enabled()).isFalse();
    assertThatThrownBy(() -> OutlierDetection.builder().consecutiveFailures(0).build())
        .hasMessage("consecutiveFailures: 0 (expected: 1-1000)");
    assertThatThrownBy(() -> OutlierDetection.builder().maxEjectionPercent(101).build())
        .hasMessage("maxEjectionPercent: 101 (expected: 0-100)");
    assertThatThrownBy(() -> OutlierDetection.builder().baseEjectionTime(Duration.ofMillis(5)).build())
        .hasMessage("baseEjectionTime: 5 ms (expected: 10 ms-1 h in whole milliseconds)");
    assertThatThrownBy(() -> OutlierDetection.builder().baseEjectionTime(Duration.ofSeconds(60))
        .maxEjectionTime(Duration.ofSeconds(30)).build())
        .hasMessage("maxEjectionTime: 30000 ms (expected: baseEjectionTime (60000 ms)-1 h in whole milliseconds)");
  }
}
