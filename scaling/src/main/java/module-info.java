/**
 * Loadstar scaling: scaling groups, policies, the instance provider SPI and the built-in providers (in-process, OS
 * process, Kubernetes), and the Kubernetes target source. Exports only its API and SPI packages.
 */
module dev.loadstar.scaling {
  requires transitive dev.loadstar.core;
  requires kubernetes.client.api;
  requires kubernetes.model.core;
  requires kubernetes.model.apps;
  requires kubernetes.model.discovery;
  requires kubernetes.model.common;

  exports dev.loadstar.scaling;
  exports dev.loadstar.scaling.discovery;
  exports dev.loadstar.scaling.providers;
  exports dev.loadstar.scaling.spi;

  uses dev.loadstar.scaling.spi.InstanceProviderFactory;
  provides dev.loadstar.core.spi.TargetSourceProvider
      with dev.loadstar.scaling.internal.k8s.KubernetesTargetSourceProvider;
  provides dev.loadstar.scaling.spi.InstanceProviderFactory with dev.loadstar.scaling.internal.InProcessProviderFactory,
      dev.loadstar.scaling.internal.ProcessProviderFactory, dev.loadstar.scaling.internal.KubernetesProviderFactory;
}
