/**
 * Extension points, all of one shape ({@link dev.loadstar.core.spi.Provider}: a name and a {@code create} from
 * validated parameters) and looked up by one {@link dev.loadstar.core.spi.ProviderRegistry}:
 * {@link dev.loadstar.core.spi.BalancingAlgorithmProvider} (algorithms by {@code load_balancing.algorithm.type}) and
 * {@link dev.loadstar.core.spi.TargetSourceProvider} (discovery sources by {@code type}); the scaling module adds
 * {@code InstanceProviderFactory} (instance providers by {@code launchTemplate.provider}).
 */
package dev.loadstar.core.spi;
