package dev.loadstar.scaling.discovery;

import dev.loadstar.core.discovery.TargetSource;
import dev.loadstar.scaling.internal.k8s.EndpointSliceTargetSource;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * The {@code kubernetes} target source: the ready endpoints of a Service, from its EndpointSlices
 * ({@code discovery.k8s.io/v1}) followed by watch. Also available by type name {@value #TYPE} through
 * {@link TargetSource#create} (and so in a declarative {@code discovery} configuration) while this module is on the
 * class path.
 *
 * <p>An endpoint becomes a target when it is ready and not terminating; the target's id is the pod name, its host
 * the pod IP, its zone the endpoint's zone, its metadata {@code namespace}, {@code service} and {@code node}. A
 * Service whose slices hold no ready endpoint is an explicit empty answer; a failed list or watch, a watch that stays
 * down, a Service without EndpointSlices and slices without the wanted port are failures (the group keeps the last
 * known good targets while the source retries).
 */
public final class KubernetesTargetSource {

  /** The type name: {@code kubernetes}. */
  public static final String TYPE = EndpointSliceTargetSource.TYPE;

  private KubernetesTargetSource() {
  }

  /**
   * A source with its own client per start, built from {@link KubernetesSourceOptions#setKubeconfig kubeconfig} and
   * {@link KubernetesSourceOptions#setContext context}, or from fabric8's defaults (in a pod: its service account);
   * closed with the source's subscription. Validates the options.
   */
  public static TargetSource create(KubernetesSourceOptions options) {
    return new EndpointSliceTargetSource(options, null);
  }

  /**
   * A source using an existing client (which the caller keeps and closes; the options must then set neither
   * kubeconfig nor context). Validates the options.
   */
  public static TargetSource create(KubernetesSourceOptions options, KubernetesClient client) {
    if (client == null) {
      throw new NullPointerException("client: null (expected: a value)");
    }
    return new EndpointSliceTargetSource(options, client);
  }
}
