package dev.loadstar.core.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loadstar.core.BalancingAlgorithm;
import dev.loadstar.core.config.InvalidValueException;
import dev.loadstar.core.discovery.TargetSource;
import io.vertx.core.json.JsonObject;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one registry behind every extension point: order, loading once, the class loader, and its errors. */
class ProviderRegistryTest {

  @Test
  void builtInsComeFirstThenTheClassPathsProvidersInServiceLoaderOrder() {
    assertThat(BalancingAlgorithmProvider.registry().names()).containsExactly("round_robin",
        "least_outstanding_requests", "weighted_random", "power_of_two_choices", "peak_ewma", "ring_hash", "maglev",
        "first_target");
    assertThat(TargetSourceProvider.registry().names()).containsExactly("static", "dns", "file", "test-fixed");
    assertThat(TargetSourceProvider.registry().field()).isEqualTo("type");
  }

  @Test
  void providersAreInstantiatedOnceHoweverOftenTheyAreLookedUp() {
    for (int i = 0; i < 5; i++) {
      assertThat(BalancingAlgorithm.byName("first_target").name()).isEqualTo("first_target");
      assertThat(BalancingAlgorithmProvider.registry().names()).contains("first_target");
    }
    assertThat(FirstTargetAlgorithmProvider.INSTANCES.get()).isEqualTo(1);
  }

  @Test
  void providersAreLoadedFromTheExtensionPointsClassLoaderWhateverTheThreadsContextClassLoader() throws Exception {
    ProviderRegistry<ProviderContext, TargetSource, TargetSourceProvider> fresh =
        ProviderRegistry.of(TargetSourceProvider.class, "type", List.of());
    Thread thread = Thread.currentThread();
    ClassLoader before = thread.getContextClassLoader();
    try (URLClassLoader blind = new URLClassLoader(new URL[0], null)) {
      thread.setContextClassLoader(blind);
      assertThat(fresh.names()).containsExactly("test-fixed");
    } finally {
      thread.setContextClassLoader(before);
    }
  }

  @Test
  void anUnknownOrMissingNameFailsNamingTheFieldAndEveryKnownName() {
    assertThatThrownBy(() -> TargetSource.create("consul", new JsonObject()))
        .isInstanceOfSatisfying(InvalidValueException.class, e -> {
          assertThat(e.field()).isEqualTo("type");
          assertThat(e.value()).isEqualTo("\"consul\"");
          assertThat(e.expected()).isEqualTo("one of static, dns, file, test-fixed");
        });
    assertThatThrownBy(() -> BalancingAlgorithmProvider.registry().provider(null))
        .isInstanceOf(InvalidValueException.class)
        .hasMessageStartingWith("load_balancing.algorithm.type: null (expected: one of round_robin, ");
    assertThat(BalancingAlgorithmProvider.registry().contains("maglev")).isTrue();
    assertThat(BalancingAlgorithmProvider.registry().contains("fastest")).isFalse();
  }

  @Test
  void aProviderThatMakesNothingIsNamedAndTwoBuiltInsCannotShareAName() {
    BalancingAlgorithmProvider nothing = new BalancingAlgorithmProvider() {
      @Override
      public String name() {
        return "nothing";
      }

      @Override
      public BalancingAlgorithm create(ProviderContext context) {
        return null;
      }
    };
    ProviderRegistry<ProviderContext, BalancingAlgorithm, BalancingAlgorithmProvider> registry =
        ProviderRegistry.of(BalancingAlgorithmProvider.class, "algorithm", List.of(nothing));
    assertThatThrownBy(() -> registry.create("nothing", ProviderContext.empty()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("algorithm: \"nothing\" (provider " + nothing.getClass().getName() + " made nothing)");

    ProviderRegistry<ProviderContext, BalancingAlgorithm, BalancingAlgorithmProvider> twice =
        ProviderRegistry.of(BalancingAlgorithmProvider.class, "algorithm", List.of(nothing, nothing));
    assertThatThrownBy(twice::names).isInstanceOf(IllegalStateException.class)
        .hasMessage("BalancingAlgorithmProvider: two built-ins named nothing");
  }

  @Test
  void aContextReadsItsOwnCopyOfTheParameters() {
    JsonObject given = new JsonObject().put("port", 80);
    ProviderContext context = new ProviderContext(given);
    given.put("port", 81);
    assertThat(context.params().integer("port")).isEqualTo(80);
    assertThat(context.json().getInteger("port")).isEqualTo(80);
    assertThat(ProviderContext.empty().json().isEmpty()).isTrue();
  }
}
