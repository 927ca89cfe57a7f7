package dev.loadstar.scaling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loadstar.core.config.InvalidValueException;
import dev.loadstar.core.time.ManualTimeSource;
import dev.loadstar.scaling.providers.InProcessProvider;
import dev.loadstar.scaling.providers.ProcessProvider;
import dev.loadstar.scaling.spi.InstanceProvider;
import dev.loadstar.scaling.spi.InstanceProviderContext;
import dev.loadstar.scaling.spi.InstanceProviderFactory;
import dev.loadstar.scaling.spi.ProviderInstance;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Instance providers by name through the one registry: built-ins, parameters, the time source, errors. */
class InstanceProviderFactoryTest {

  private Vertx vertx;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  @Test
  void theBuiltInsAreKnownByTheirNamesOnce() {
    assertThat(InstanceProviderFactory.registry().names()).containsExactly("in-process", "process", "kubernetes");
    assertThat(InstanceProviderFactory.registry().field()).isEqualTo("launchTemplate.provider");
  }

  @Test
  void aProviderMadeByNameTakesItsZonesAndKeepsTimeOnTheGivenTimeSource() {
    Instant origin = Instant.parse("2026-01-01T00:00:00Z");
    ManualTimeSource time = new ManualTimeSource(origin.toEpochMilli());
    InstanceProvider p = InstanceProviderFactory.registry().create("in-process", new InstanceProviderContext(vertx,
        time, new JsonObject().put("zones", new JsonArray().add("zone-a").add("zone-b"))));
    try {
      assertThat(p).isInstanceOf(InProcessProvider.class);
      assertThat(p.zones()).containsExactly("zone-a", "zone-b");
      ProviderInstance launched = p.launch("g", LaunchTemplate.of(InProcessProvider.NAME), "zone-b").await();
      assertThat(launched.zone()).isEqualTo("zone-b");
      assertThat(launched.launchTime()).isEqualTo(origin);
    } finally {
      p.close().await();
    }
  }

  @Test
  void badParametersAreNamed() {
    assertThatThrownBy(() -> InstanceProviderFactory.registry().create("process", new InstanceProviderContext(vertx,
        new ManualTimeSource(), new JsonObject().put("zones", new JsonArray().add("a").add(5)))))
        .isInstanceOf(InvalidValueException.class).hasMessage("zones[1]: 5 (expected: a zone name)");
    assertThatThrownBy(() -> InstanceProviderFactory.registry().create("process", new InstanceProviderContext(vertx,
        new ManualTimeSource(), new JsonObject().put("zones", new JsonArray().add("a").add("a")))))
        .isInstanceOf(InvalidValueException.class).hasMessage("zones[1]: \"a\" (expected: unique zone names)");
    assertThatThrownBy(() -> InstanceProviderFactory.registry().create("in-process", new InstanceProviderContext(vertx,
        new ManualTimeSource(), new JsonObject().put("zone", "a"))))
        .isInstanceOf(InvalidValueException.class).hasMessage("zone: \"a\" (expected: one of the parameters zones)");
    assertThat(InstanceProviderFactory.registry().create("process", new InstanceProviderContext(vertx)))
        .isInstanceOf(ProcessProvider.class).satisfies(p -> p.close().await());
  }
}
