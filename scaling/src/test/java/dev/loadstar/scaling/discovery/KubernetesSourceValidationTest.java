package dev.loadstar.scaling.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loadstar.core.discovery.DiscoveryConfig;
import dev.loadstar.core.discovery.TargetSource;
import dev.loadstar.core.spi.TargetSourceProvider;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** Finding the {@code kubernetes} source by name and validating its parameters (no API server involved). */
class KubernetesSourceValidationTest {

  private static final String DNS_1123 =
      "a DNS-1123 label: at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit";
  private static final String SERVICE_NAME = "a Service name: at most 63 lower-case letters, digits and '-', "
      + "starting with a letter and ending with a letter or digit";

  private static TargetSource fromJson(JsonObject params) {
    return TargetSource.create("kubernetes", params);
  }

  private static JsonObject web() {
    return new JsonObject().put("service", "web");
  }

  @Test
  void theProviderIsRegisteredUnderTheNameKubernetes() {
    assertThat(TargetSourceProvider.registry().names()).containsExactly("static", "dns", "file", "kubernetes");
    TargetSource source = fromJson(web().put("namespace", "shop").put("port", "http"));
    assertThat(source.type()).isEqualTo(KubernetesTargetSource.TYPE).isEqualTo("kubernetes");
    assertThat(source).hasToString("EndpointSlices of Service shop/web port http");
    assertThat(fromJson(web().put("kubeconfig", "/etc/lb/kubeconfig")))
        .hasToString("EndpointSlices of Service web via /etc/lb/kubeconfig");
  }

  @Test
  void optionsRoundTripThroughJson() {
    JsonObject json = new JsonObject().put("service", "web").put("namespace", "shop").put("port", 8080)
        .put("kubeconfig", "/etc/lb/kubeconfig").put("context", "prod");
    assertThat(new KubernetesSourceOptions(json).toJson()).isEqualTo(json);
    KubernetesSourceOptions named = new KubernetesSourceOptions(web().put("port", "http"));
    assertThat(named.getPortName()).isEqualTo("http");
    assertThat(named.getPort()).isNull();
    assertThat(named.toJson()).isEqualTo(web().put("port", "http"));
  }

  @Test
  void unknownParametersAreRejectedNamingTheKnownOnes() {
    assertThatThrownBy(() -> fromJson(web().put("portName", "http")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("portName: \"http\" (expected: one of the parameters service, namespace, port, kubeconfig, "
            + "context)");
  }

  @Test
  void badValuesAreRejectedNamingTheParameter() {
    assertThatThrownBy(() -> fromJson(new JsonObject().put("namespace", "shop")))
        .hasMessage("service: null (expected: " + SERVICE_NAME + ")");
    assertThatThrownBy(() -> fromJson(new JsonObject().put("service", "Web")))
        .hasMessage("service: \"Web\" (expected: " + SERVICE_NAME + ")");
    assertThatThrownBy(() -> fromJson(new JsonObject().put("service", "9web")))
        .hasMessage("service: \"9web\" (expected: " + SERVICE_NAME + ")");
    assertThatThrownBy(() -> fromJson(new JsonObject().put("service", 42)))
        .hasMessage("service: 42 (expected: a string)");
    assertThatThrownBy(() -> fromJson(web().put("namespace", "shop_1")))
        .hasMessage("namespace: \"shop_1\" (expected: " + DNS_1123 + ")");
    assertThatThrownBy(() -> fromJson(web().put("namespace", "a".repeat(64))))
        .hasMessage("namespace: \"" + "a".repeat(64) + "\" (expected: " + DNS_1123 + ")");
    assertThatThrownBy(() -> fromJson(web().put("port", 0)))
        .hasMessage("port: 0 (expected: 1-65535)");
    assertThatThrownBy(() -> fromJson(web().put("port", 65536)))
        .hasMessage("port: 65536 (expected: 1-65535)");
    assertThatThrownBy(() -> fromJson(web().put("port", 80.5)))
        .hasMessage("port: 80.5 (expected: a port name or a port number)");
    assertThatThrownBy(() -> fromJson(web().put("port", true)))
        .hasMessage("port: true (expected: a port name or a port number)");
    assertThatThrownBy(() -> fromJson(web().put("port", "HTTP")))
        .hasMessage("port: \"HTTP\" (expected: a port number 1-65535 or a port name, " + DNS_1123 + ")");
    assertThatThrownBy(() -> fromJson(web().put("kubeconfig", " ")))
        .hasMessage("kubeconfig: \" \" (expected: a non-blank string)");
    assertThatThrownBy(() -> fromJson(web().put("context", "")))
        .hasMessage("context: \"\" (expected: a non-blank string)");
  }

  @Test
  void aDeclarativeConfigurationPrefixesTheSourcesPath() {
    assertThatThrownBy(() -> DiscoveryConfig.fromJson(new JsonObject().put("sources", new JsonArray()
        .add(new JsonObject().put("type", "kubernetes").put("service", "web").put("port", -1)))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sources[0].port: -1 (expected: 1-65535)");
  }

  @Test
  void programmaticOptionsAreValidatedLikeJson() {
    assertThatThrownBy(() -> KubernetesTargetSource.create(new KubernetesSourceOptions().setService("web")
        .setPortName("http").setPort(8080)))
        .hasMessage("port: 8080 (expected: either a port name or a port number, not both (portName \"http\"))");
    assertThatThrownBy(() -> KubernetesTargetSource.create(null))
        .hasMessage("options: null (expected: a value)");
    // Building a client does not contact the API server.
    try (KubernetesClient client = new KubernetesClientBuilder().build()) {
      assertThatThrownBy(() -> KubernetesTargetSource.create(new KubernetesSourceOptions().setService("web")
          .setKubeconfig("/etc/lb/kubeconfig"), client))
          .hasMessage("kubeconfig: \"/etc/lb/kubeconfig\" (expected: no kubeconfig with a client given to the "
              + "source)");
      assertThatThrownBy(() -> KubernetesTargetSource.create(new KubernetesSourceOptions().setService("web")
          .setContext("prod"), client))
          .hasMessage("context: \"prod\" (expected: no context with a client given to the source)");
      assertThat(KubernetesTargetSource.create(new KubernetesSourceOptions().setService("web"), client))
          .hasToString("EndpointSlices of Service web");
    }
    assertThatThrownBy(() -> KubernetesTargetSource.create(new KubernetesSourceOptions().setService("web"), null))
        .hasMessage("client: null (expected: a value)");
  }
}
