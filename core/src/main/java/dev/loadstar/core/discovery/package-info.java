/**
 * Target discovery: {@link dev.loadstar.core.discovery.TargetSource}s report the targets of a group and a
 * {@link dev.loadstar.core.discovery.TargetDiscovery} keeps the group's membership in step with them.
 *
 * <p>Starting points: {@link dev.loadstar.core.discovery.DiscoveryConfig} (sources and settings, from code or
 * from a JSON object), {@link dev.loadstar.core.discovery.TargetDiscovery#start} (binds a configuration to a
 * group), {@link dev.loadstar.core.discovery.TargetDiscovery#whenReady()} (wait for the first answers) and
 * {@link dev.loadstar.core.discovery.TargetDiscovery#status()} (per-source health of discovery itself). New kinds
 * of sources plug in through {@link dev.loadstar.core.spi.TargetSourceProvider}.
 */
package dev.loadstar.core.discovery;
