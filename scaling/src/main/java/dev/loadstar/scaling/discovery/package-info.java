/**
 * Target discovery sources of the scaling module: {@link dev.loadstar.scaling.discovery.KubernetesTargetSource}
 * (type {@code kubernetes}), configured with {@link dev.loadstar.scaling.discovery.KubernetesSourceOptions}.
 */
package dev.loadstar.scaling.discovery;
