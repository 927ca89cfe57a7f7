package dev.loadstar.core.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loadstar.core.Target;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DiscoveryValidationTest {

  private static void fails(Runnable r, String message) {
    assertThatThrownBy(r::run).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
  }

  private static JsonObject dns() {
    return new JsonObject().put("hostname", "api.internal");
  }

  @Test
  void dnsParametersAreValidatedByName() {
    fails(() -> TargetSource.create("dns", dns()), "port: null (expected: 1-65535 with recordType A)");
    fails(() -> TargetSource.create("dns", dns().put("port", 70000)), "port: 70000 (expected: 1-65535)");
    fails(() -> TargetSource.create("dns", dns().put("recordType", "SRV").put("port", 8080)),
        "port: 8080 (expected: no port with recordType SRV, whose records carry the ports)");
    fails(() -> TargetSource.create("dns", dns().put("recordType", "MX")),
        "recordType: \"MX\" (expected: A, AAAA or SRV)");
    fails(() -> TargetSource.create("dns", new JsonObject().put("hostname", 5)), "hostname: 5 (expected: a string)");
    fails(() -> TargetSource.create("dns", new JsonObject().put("port", 80)),
        "hostname: null (expected: a non-blank string)");
    fails(() -> TargetSource.create("dns", dns().put("port", 80).put("hostnme", "api")),
        "hostnme: \"api\" (expected: one of the parameters hostname, recordType, port, weight, zone, serverHost, "
            + "serverPort, queryTimeout, refreshInterval, minTtl, maxTtl, retryInitialDelay, retryMaxDelay)");
    fails(() -> TargetSource.create("dns", dns().put("port", 80).put("minTtl", "5x")),
        "minTtl: \"5x\" (expected: a duration such as 500ms, 5s, 2m, 1h or PT5S, or a number of milliseconds)");
    fails(() -> TargetSource.create("dns", dns().put("port", 80).put("maxTtl", "500ms")),
        "maxTtl: 500ms (expected: >= minTtl, 1s)");
    fails(() -> TargetSource.create("dns", dns().put("port", 80).put("serverPort", 0)),
        "serverPort: 0 (expected: 1-65535)");
    fails(() -> TargetSource.create("dns", dns().put("port", 80).put("weight", -1)),
        "weight: -1 (expected: 0-10000)");
    fails(() -> TargetSource.create("dns", dns().put("port", 80).put("retryMaxDelay", "100ms")),
        "retryMaxDelay: 100ms (expected: >= retryInitialDelay, 1s)");
    fails(() -> TargetSource.dns(new DnsSourceOptions().setHostname("api.internal").setPort(80)
        .setQueryTimeout(Duration.ZERO)), "queryTimeout: 0s (expected: > 0)");
  }

  @Test
  void durationsAcceptShortFormsIsoAndMilliseconds() {
    DnsSourceOptions o = new DnsSourceOptions(dns().put("port", 80).put("minTtl", "250ms").put("maxTtl", "2m")
        .put("queryTimeout", "PT3S").put("refreshInterval", 1500));
    assertThat(o.getMinTtl()).isEqualTo(Duration.ofMillis(250));
    assertThat(o.getMaxTtl()).isEqualTo(Duration.ofMinutes(2));
    assertThat(o.getQueryTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(o.getRefreshInterval()).isEqualTo(Duration.ofMillis(1500));
    assertThat(new DnsSourceOptions(o.toJson()).toJson()).isEqualTo(o.toJson());
  }

  @Test
  void staticTargetsAreValidatedByPosition() {
    fails(() -> TargetSource.create("static", new JsonObject()),
        "targets: null (expected: an array of \"host:port\" strings or objects with host and port)");
    fails(() -> TargetSource.create("static", new JsonObject().put("targets", new JsonArray()
            .add("127.0.0.1:80").add(new JsonObject().put("host", "127.0.0.1").put("port", 0)))),
        "targets[1].port: 0 (expected: 1-65535)");
    fails(() -> TargetSource.create("static", new JsonObject().put("targets", new JsonArray().add("nohost"))),
        "targets[0]: \"nohost\" (expected: \"host:port\" or an object with host and port)");
    fails(() -> TargetSource.create("static", new JsonObject().put("targets", new JsonArray()
            .add(new JsonObject().put("host", "127.0.0.1")))),
        "targets[0].port: null (expected: 1-65535)");
    fails(() -> TargetSource.create("static", new JsonObject().put("targets", new JsonArray()
            .add(new JsonObject().put("id", "a").put("host", "127.0.0.1").put("port", 80))
            .add(new JsonObject().put("id", "a").put("host", "127.0.0.1").put("port", 81)))),
        "targets[1].id: \"a\" (expected: an id not used by targets[0])");
    fails(() -> TargetSource.create("static", new JsonObject().put("targets", new JsonArray()
            .add("127.0.0.1:80").add(new JsonObject().put("id", "b").put("host", "127.0.0.1").put("port", 80)))),
        "targets[1]: \"127.0.0.1:80\" (expected: an address not used by targets[0])");
    fails(() -> TargetSource.create("static", new JsonObject().put("targets", new JsonArray()
            .add(new JsonObject().put("host", "127.0.0.1").put("port", 80).put("weight", 20000)))),
        "targets[0].weight: 20000 (expected: 0-10000)");
    fails(() -> TargetSource.staticTargets(Target.of("a", "127.0.0.1", 80), Target.of("a", "127.0.0.1", 81)),
        "targets[1].id: \"a\" (expected: an id not used by targets[0])");
    TargetSource ipv6 = TargetSource.create("static", new JsonObject().put("targets", new JsonArray()
        .add("[::1]:8080")));
    assertThat(ipv6).hasToString("static list of 1 target");
  }

  @Test
  void fileParametersAreValidatedByName() {
    fails(() -> TargetSource.create("file", new JsonObject()), "path: null (expected: a non-blank string)");
    fails(() -> TargetSource.create("file", new JsonObject().put("path", "t.toml").put("format", "toml")),
        "format: \"toml\" (expected: json or yaml)");
    fails(() -> TargetSource.create("file", new JsonObject().put("path", "t.json").put("pollInterval", "5s")
            .put("retryMaxDelay", "1s")),
        "retryMaxDelay: 1s (expected: >= pollInterval, 5s)");
    fails(() -> TargetSource.create("file", new JsonObject().put("path", "t.json").put("pollInterval", 0)),
        "pollInterval: 0s (expected: > 0)");
  }

  @Test
  void discoveryConfigIsValidatedWithPaths() {
    fails(() -> DiscoveryConfig.fromJson(new JsonObject()),
        "sources: null (expected: an array of sources, each an object with a type)");
    fails(() -> DiscoveryConfig.fromJson(new JsonObject().put("sources", new JsonArray())),
        "sources: [] (expected: at least one source)");
    fails(() -> DiscoveryConfig.fromJson(new JsonObject().put("source", new JsonArray())),
        "source: [] (expected: one of the parameters removalDelay, readyTimeout, sources)");
    fails(() -> DiscoveryConfig.fromJson(new JsonObject().put("sources", new JsonArray().add("dns"))),
        "sources[0]: \"dns\" (expected: an object with a type)");
    fails(() -> DiscoveryConfig.fromJson(new JsonObject().put("sources", new JsonArray()
            .add(new JsonObject().put("hostname", "api.internal")))),
        "sources[0].type: null (expected: one of static, dns, file, test-fixed)");
    fails(() -> DiscoveryConfig.fromJson(new JsonObject().put("sources", new JsonArray()
            .add(new JsonObject().put("type", "static").put("targets", new JsonArray()))
            .add(new JsonObject().put("type", "dns").put("hostname", "api.internal").put("port", 0)))),
        "sources[1].port: 0 (expected: 1-65535)");
    fails(() -> DiscoveryConfig.fromJson(new JsonObject().put("sources", new JsonArray()
            .add(new JsonObject().put("type", "static").put("name", "a").put("targets", new JsonArray()))
            .add(new JsonObject().put("type", "static").put("name", "a").put("targets", new JsonArray())))),
        "sources[1].name: \"a\" (expected: a name no other source of the group uses)");
    fails(() -> DiscoveryConfig.fromJson(new JsonObject().put("removalDelay", "-PT1S").put("sources",
            new JsonArray().add(new JsonObject().put("type", "static").put("targets", new JsonArray())))),
        "removalDelay: -1s (expected: >= 0)");
    fails(() -> DiscoveryConfig.builder().addSource(TargetSource.staticTargets()).removalDelay(Duration.ofHours(2))
        .build(), "removalDelay: 2h (expected: 0-1h)");
    fails(() -> DiscoveryConfig.builder().addSource(TargetSource.staticTargets()).readyTimeout(Duration.ZERO)
        .build(), "readyTimeout: 0s (expected: > 0)");
    fails(() -> DiscoveryConfig.builder().addSource("has space", TargetSource.staticTargets()),
        "name: \"has space\" (expected: 1-64 letters, digits, dots, underscores and hyphens, starting with a "
            + "letter or digit)");
  }

  @Test
  void unnamedSourcesAreNamedAfterTheirType() {
    DiscoveryConfig config = DiscoveryConfig.builder()
        .addSource(TargetSource.staticTargets())
        .addSource("static-2", TargetSource.staticTargets())
        .addSource(TargetSource.staticTargets())
        .build();
    assertThat(config.sources()).containsOnlyKeys("static", "static-2", "static-3");
    assertThat(config.removalDelay()).isEqualTo(DiscoveryConfig.DEFAULT_REMOVAL_DELAY);
    assertThat(config.readyTimeout()).isEqualTo(DiscoveryConfig.DEFAULT_READY_TIMEOUT);
  }
}
