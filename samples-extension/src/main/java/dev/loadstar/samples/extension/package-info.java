/**
 * A Loadstar extension written against the public API only, one class per extension point plus what it makes:
 * {@link dev.loadstar.samples.extension.StickyFirstProvider} ({@code load_balancing.algorithm.type: sticky_first}),
 * {@link dev.loadstar.samples.extension.PropertiesSourceProvider} (discovery source {@code type: properties}) and
 * {@link dev.loadstar.samples.extension.HelloProviderFactory} ({@code launchTemplate.provider: hello}). Putting the
 * jar on the class path is all it takes: {@code META-INF/services} lists the three.
 */
package dev.loadstar.samples.extension;
