package dev.loadstar.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Map;

/**
 * Any text given to the config reader and binder ends in a configuration or in config errors: never another
 * exception, never a hang. Without {@code JAZZER_FUZZ=1} (the normal build) this runs the seed corpus only
 * (src/test/resources/.../ConfigFuzzTestInputs and the example configs, see the pom); with it, Jazzer mutates the
 * corpus for {@code maxDuration} (BENCHMARKS.md, "Fuzzing the configuration", has the command).
 */
class ConfigFuzzTest {

  private static final Map<String, String> ENV = Map.of("WEB_PORT", "0", "ADMIN_PORT", "0",
      "STICKINESS_SECRET", "c2VjcmV0LWZvci10aGUtZnV6ei10ZXN0cw", "API_1_PORT", "1", "API_2_PORT", "2",
      "IMAGES_PORT", "3");

  @FuzzTest(maxDuration = "5s")
  void anyInputGivesAConfigOrErrors(FuzzedDataProvider data) {
    boolean json = data.consumeBoolean();
    String text = data.consumeRemainingAsString();
    GatewayConfig.Result r = GatewayConfig.validate(text, "fuzz." + (json ? "json" : "yaml"), json, ENV::get);
    assertThat(r.config() == null).as("a config xor errors").isEqualTo(!r.errors().isEmpty());
    for (ConfigError e : r.errors()) {
      assertThat(e.line()).isPositive();
      assertThat(e.column()).isPositive();
      assertThat(e.message()).isNotBlank();
    }
  }
}
