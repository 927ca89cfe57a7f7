/**
 * The built-in instance providers: {@link dev.loadstar.scaling.providers.InProcessProvider} (embedded default),
 * {@link dev.loadstar.scaling.providers.ProcessProvider} (OS processes) and
 * {@link dev.loadstar.scaling.providers.KubernetesProvider} (a Deployment's pods).
 */
package dev.loadstar.scaling.providers;
