package dev.loadstar.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loadstar.core.vertx.TargetGroupAddress;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every validation message reads {@code name: value (expected: ...)}; these tests pin the text. */
class ValidationMessagesTest {

  // --- LoadBalancedClientOptions

  @Test
  void clientOptionsRejectOutOfRangeValuesWithTheirRange() {
    LoadBalancedClientOptions o = new LoadBalancedClientOptions();
    assertInvalid(() -> o.setMaxAttempts(0), "maxAttempts: 0 (expected: 1-10)");
    assertInvalid(() -> o.setMaxAttempts(11), "maxAttempts: 11 (expected: 1-10)");
    assertInvalid(() -> o.setRetryBudgetRatio(-0.1), "retryBudgetRatio: -0.1 (expected: 0.0-1.0)");
    assertInvalid(() -> o.setRetryBudgetRatio(Double.NaN), "retryBudgetRatio: NaN (expected: 0.0-1.0)");
    assertInvalid(() -> o.setRetryBudgetMinPerSecond(-1), "retryBudgetMinPerSecond: -1 (expected: 0-100000)");
    assertInvalid(() -> o.setRequestTimeoutMs(0), "requestTimeoutMs: 0 (expected: 1-3600000)");
    assertInvalid(() -> o.setConnectTimeoutMs(600_001), "connectTimeoutMs: 600001 (expected: 1-600000)");
    assertInvalid(() -> o.setRetryBackoffMs(-5), "retryBackoffMs: -5 (expected: 0-60000)");
    assertNull(() -> o.setWebClientOptions(null), "webClientOptions: null (expected: a value)");
    assertNull(() -> o.setPoolOptions(null), "poolOptions: null (expected: a value)");
    // the defaults survive the failed sets
    assertThat(o.getMaxAttempts()).isEqualTo(LoadBalancedClientOptions.DEFAULT_MAX_ATTEMPTS);
    assertThat(o.getRetryBudgetRatio()).isEqualTo(0.2);
    assertThat(o.getRetryBudgetMinPerSecond()).isEqualTo(10);
  }

  @Test
  void clientOptionsFromJsonAreValidatedLikeTheSetters() {
    assertInvalid(() -> new LoadBalancedClientOptions(new JsonObject().put("maxAttempts", 11)),
        "maxAttempts: 11 (expected: 1-10)");
    assertInvalid(() -> new LoadBalancedClientOptions(new JsonObject().put("retryBudgetRatio", 2.0)),
        "retryBudgetRatio: 2.0 (expected: 0.0-1.0)");
    LoadBalancedClientOptions o = new LoadBalancedClientOptions(new JsonObject().put("maxAttempts", 3)
        .put("retryBudgetRatio", 0.5).put("retryBackoffMs", 25)
        .put("poolOptions", new JsonObject().put("http1MaxSize", 40)));
    assertThat(o.getMaxAttempts()).isEqualTo(3);
    assertThat(o.getRetryBudgetRatio()).isEqualTo(0.5);
    assertThat(o.getRetryBackoffMs()).isEqualTo(25);
    assertThat(o.getPoolOptions().getHttp1MaxSize()).isEqualTo(40);
    LoadBalancedClientOptions back = new LoadBalancedClientOptions(o.toJson());
    assertThat(back.toJson()).isEqualTo(o.toJson());
  }

  @Test
  void requestArgumentsAreValidated() {
    Vertx vertx = Vertx.vertx();
    try {
      LoadBalancedClient client = LoadBalancedClient.create(vertx);
      assertNull(() -> client.request(null, "g", "/"), "method: null (expected: a value)");
      assertNull(() -> client.request(HttpMethod.GET, null, "/"), "groupName: null (expected: a value)");
      assertNull(() -> client.addTargetGroup(null), "group: null (expected: a value)");
      assertInvalid(() -> client.get("g", "/").timeout(0), "timeoutMs: 0 (expected: 1-3600000)");
      assertNull(() -> client.get("g", "/").putHeader("x", null), "value: null (expected: a value)");
      assertInvalid(() -> client.requestAbs(HttpMethod.GET, "ftp://orders.internal/x"),
          "absoluteUrl: ftp://orders.internal/x (expected: an absolute http or https URL)");
      assertInvalid(() -> client.requestAbs(HttpMethod.GET, "/relative/path"),
          "absoluteUrl: /relative/path (expected: an absolute http or https URL)");
      assertInvalid(() -> client.requestAbs(HttpMethod.GET, "http://bad host/"),
          "absoluteUrl: http://bad host/ (expected: an absolute http or https URL)");
      assertNull(() -> LoadBalancedClient.create(vertx, null), "options: null (expected: a value)");
      client.close().await();
    } finally {
      vertx.close().await();
    }
  }

  @Test
  void targetGroupAddressNeedsAName() {
    assertInvalid(() -> TargetGroupAddress.of(" "), "name: \" \" (expected: a non-blank string)");
    assertInvalid(() -> TargetGroupAddress.of(null), "name: null (expected: a non-blank string)");
  }

  // --- Stickiness and keys

  @Test
  void lbCookieDurationIsOneSecondToSevenDays() {
    assertInvalid(() -> Stickiness.lbCookie(Duration.ZERO),
        "stickiness.lb_cookie.duration_seconds: 0 (expected: 1-604800)");
    assertInvalid(() -> Stickiness.lbCookie(Duration.ofSeconds(604_801)),
        "stickiness.lb_cookie.duration_seconds: 604801 (expected: 1-604800)");
    assertInvalid(() -> Stickiness.lbCookie(Duration.ofMillis(1500)),
        "stickiness.lb_cookie.duration_seconds: 1.5 (expected: 1-604800)");
    assertInvalid(() -> Stickiness.lbCookie(Duration.ofSeconds(-3)),
        "stickiness.lb_cookie.duration_seconds: -3 (expected: 1-604800)");
    assertNull(() -> Stickiness.lbCookie(null), "stickiness.lb_cookie.duration_seconds: null (expected: a value)");
    assertThat(Stickiness.lbCookie(Duration.ofSeconds(604_800)).duration()).isEqualTo(Stickiness.MAX_DURATION);
    assertThat(Stickiness.lbCookie().duration().getSeconds()).isEqualTo(86_400);
  }

  @Test
  void appCookieNameAndDurationAreValidated() {
    Duration day = Duration.ofDays(1);
    assertInvalid(() -> Stickiness.appCookie("AWSALBAPP", day), "stickiness.app_cookie.cookie_name: AWSALBAPP "
        + "(expected: a name not starting with AWSALB, AWSALBAPP, AWSALBTG or LSALB)");
    assertInvalid(() -> Stickiness.appCookie("AWSALBTGCORS", day), "stickiness.app_cookie.cookie_name: "
        + "AWSALBTGCORS (expected: a name not starting with AWSALB, AWSALBAPP, AWSALBTG or LSALB)");
    assertInvalid(() -> Stickiness.appCookie("LSALBAPP", day), "stickiness.app_cookie.cookie_name: LSALBAPP "
        + "(expected: a name not starting with AWSALB, AWSALBAPP, AWSALBTG or LSALB)");
    assertInvalid(() -> Stickiness.appCookie("my session", day),
        "stickiness.app_cookie.cookie_name: my session (expected: a cookie name token (RFC 6265))");
    assertInvalid(() -> Stickiness.appCookie("a=b", day),
        "stickiness.app_cookie.cookie_name: a=b (expected: a cookie name token (RFC 6265))");
    assertInvalid(() -> Stickiness.appCookie("", day),
        "stickiness.app_cookie.cookie_name: \"\" (expected: a non-blank string)");
    assertInvalid(() -> Stickiness.appCookie("SESSIONID", Duration.ofSeconds(0)),
        "stickiness.app_cookie.duration_seconds: 0 (expected: 1-604800)");
    assertNull(() -> Stickiness.appCookie("SESSIONID", null),
        "stickiness.app_cookie.duration_seconds: null (expected: a value)");
    assertNull(() -> Stickiness.lbCookie().withKeys(null), "stickiness.keys: null (expected: a value)");
    Stickiness ok = Stickiness.appCookie("SESSIONID", day);
    assertThat(ok.type()).isEqualTo(Stickiness.Type.APP_COOKIE);
    assertThat(ok.appCookieName()).isEqualTo("SESSIONID");
  }

  @Test
  void stickinessKeysNeedAtLeastOneSecretOfSixteenBytes() {
    assertInvalid(StickinessKeys::of, "stickiness.keys: [] (expected: at least one secret)");
    assertInvalid(() -> StickinessKeys.of((String[]) null), "stickiness.keys: [] (expected: at least one secret)");
    assertInvalid(() -> StickinessKeys.of("0123456789abcdef", "short"),
        "stickiness.keys[1]: <5 bytes> (expected: at least 16 bytes)");
    assertNull(() -> StickinessKeys.of((String) null), "stickiness.keys[0]: null (expected: a value)");
    assertThat(StickinessKeys.of("0123456789abcdef").keys()).hasSize(1);
    assertThat(StickinessKeys.of("0123456789abcdef")).hasToString("StickinessKeys{1 key(s)}");
  }

  // --- Target

  @Test
  void targetFieldsAreValidated() {
    assertInvalid(() -> Target.of("", "127.0.0.1", 80), "id: \"\" (expected: a non-blank string)");
    assertInvalid(() -> Target.of(null, "127.0.0.1", 80), "id: null (expected: a non-blank string)");
    assertInvalid(() -> Target.of("i-1", " ", 80), "host: \" \" (expected: a non-blank string)");
    assertInvalid(() -> Target.of("i-1", "127.0.0.1", 0), "port: 0 (expected: 1-65535)");
    assertInvalid(() -> Target.of("i-1", "127.0.0.1", 65_536), "port: 65536 (expected: 1-65535)");
    assertInvalid(() -> Target.builder("i-1", "127.0.0.1", 80).weight(-1).build(),
        "weight: -1 (expected: 0-10000)");
    assertInvalid(() -> Target.builder("i-1", "127.0.0.1", 80).weight(10_001).build(),
        "weight: 10001 (expected: 0-10000)");
    assertInvalid(() -> Target.builder("i-1", "127.0.0.1", 80).zone("").build(),
        "zone: \"\" (expected: a non-blank string)");
    assertNull(() -> Target.builder("i-1", "127.0.0.1", 80).metadata(null, "v"),
        "metadata key: null (expected: a value)");
    assertNull(() -> Target.builder("i-1", "127.0.0.1", 80).metadata("k", null),
        "metadata[k]: null (expected: a value)");
  }

  // --- TargetGroupConfig

  @Test
  void targetGroupConfigFieldsAreValidated() {
    assertInvalid(() -> TargetGroupConfig.builder("bad_name").build(), "name: \"bad_name\" "
        + "(expected: 1-32 characters of letters, digits and hyphens, not starting or ending with a hyphen)");
    assertInvalid(() -> TargetGroupConfig.builder("-web").build(), "name: \"-web\" "
        + "(expected: 1-32 characters of letters, digits and hyphens, not starting or ending with a hyphen)");
    assertInvalid(() -> TargetGroupConfig.builder("a".repeat(33)).build(), "name: \"" + "a".repeat(33) + "\" "
        + "(expected: 1-32 characters of letters, digits and hyphens, not starting or ending with a hyphen)");
    assertNull(() -> TargetGroupConfig.builder(null).build(), "name: null (expected: a value)");
    assertInvalid(() -> TargetGroupConfig.builder("web").slowStart(Duration.ofSeconds(10)).build(),
        "slow_start.duration_seconds: 10 (expected: 0 (off) or 30-900)");
    assertInvalid(() -> TargetGroupConfig.builder("web").slowStart(Duration.ofSeconds(901)).build(),
        "slow_start.duration_seconds: 901 (expected: 0 (off) or 30-900)");
    assertInvalid(() -> TargetGroupConfig.builder("web").deregistrationDelay(Duration.ofSeconds(3601)).build(),
        "deregistration_delay.timeout_seconds: 3601 (expected: 0-3600)");
    assertInvalid(() -> TargetGroupConfig.builder("web").deregistrationDelay(Duration.ofMillis(500)).build(),
        "deregistration_delay.timeout_seconds: 0.5 (expected: 0-3600)");
    assertInvalid(() -> TargetGroupConfig.builder("web").minimumHealthyTargetsCount(0).build(),
        "target_group_health.unhealthy_state_routing.minimum_healthy_targets.count: 0 (expected: 1-2147483647)");
    assertInvalid(() -> TargetGroupConfig.builder("web").minimumHealthyTargetsPercentage(101).build(),
        "target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage: 101 (expected: 0-100)");
    assertNull(() -> TargetGroupConfig.builder("web").protocol(null), "protocol: null (expected: a value)");
    assertNull(() -> TargetGroupConfig.builder("web").protocolVersion(null), "protocolVersion: null (expected: a value)");
    assertNull(() -> TargetGroupConfig.builder("web").algorithm(null),
        "load_balancing.algorithm.type: null (expected: a value)");
    assertNull(() -> TargetGroupConfig.builder("web").stickiness(null), "stickiness: null (expected: a value)");
    assertNull(() -> TargetGroupConfig.builder("web").slowStart(null),
        "slow_start.duration_seconds: null (expected: a value)");
    assertNull(() -> TargetGroupConfig.builder("web").deregistrationDelay(null),
        "deregistration_delay.timeout_seconds: null (expected: a value)");
    assertThat(TargetGroupConfig.builder("web").build().deregistrationDelay().getSeconds()).isEqualTo(300);
  }

  @Test
  void protocolVersionIsHttp1UnlessSetAndSurvivesToBuilder() {
    assertThat(TargetGroupConfig.builder("web").build().protocolVersion())
        .isEqualTo(TargetGroupConfig.ProtocolVersion.HTTP1);
    TargetGroupConfig grpc = TargetGroupConfig.builder("web").protocolVersion(TargetGroupConfig.ProtocolVersion.GRPC)
        .build();
    assertThat(grpc.toBuilder().build().protocolVersion()).isEqualTo(TargetGroupConfig.ProtocolVersion.GRPC);
    assertThat(TargetGroupConfig.ProtocolVersion.HTTP1.usesHttp2()).isFalse();
    assertThat(TargetGroupConfig.ProtocolVersion.HTTP2.usesHttp2()).isTrue();
    assertThat(TargetGroupConfig.ProtocolVersion.GRPC.usesHttp2()).isTrue();
  }

  @Test
  void weightedRandomRejectsStickinessAndOtherAlgorithmsAcceptIt() {
    // ALB: weighted_random is "not with sticky sessions"; least_outstanding_requests is only "not with slow start"
    assertInvalid(() -> TargetGroupConfig.builder("web").algorithm(BalancingAlgorithm.weightedRandom())
        .stickiness(Stickiness.lbCookie()).build(), "stickiness.enabled: true (expected: false with "
        + "load_balancing.algorithm.type weighted_random, which does not support sticky sessions)");
    assertInvalid(() -> TargetGroupConfig.builder("web").algorithm(BalancingAlgorithm.weightedRandom(true))
        .stickiness(Stickiness.appCookie("SESSION", Duration.ofSeconds(60))).build(), "stickiness.enabled: true "
        + "(expected: false with load_balancing.algorithm.type weighted_random, which does not support sticky "
        + "sessions)");
    assertThat(TargetGroupConfig.builder("web").algorithm(BalancingAlgorithm.weightedRandom()).build().stickiness()
        .enabled()).isFalse();
    for (BalancingAlgorithm a : List.of(BalancingAlgorithm.roundRobin(), BalancingAlgorithm.leastOutstandingRequests(),
        BalancingAlgorithm.powerOfTwoChoices(), BalancingAlgorithm.peakEwma(), BalancingAlgorithm.ringHash(),
        BalancingAlgorithm.maglev())) {
      assertThat(TargetGroupConfig.builder("web").algorithm(a).stickiness(Stickiness.lbCookie()).build().stickiness()
          .type()).as(a.name()).isEqualTo(Stickiness.Type.LB_COOKIE);
    }
  }

  private static void assertInvalid(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String message) {
    assertThatThrownBy(call).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
  }

  private static void assertNull(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String message) {
    assertThatThrownBy(call).isInstanceOf(NullPointerException.class).hasMessage(message);
  }
}
