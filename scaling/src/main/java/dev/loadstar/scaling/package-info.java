/**
 * Scaling groups: min / desired / max capacity over an {@link dev.loadstar.scaling.spi.InstanceProvider}, instances
 * registered with attached target groups, health replacement, scaling policies, lifecycle hooks and activity
 * history. Starting points: {@link dev.loadstar.scaling.ScalingGroup}, {@link dev.loadstar.scaling.ScalingGroupConfig},
 * {@link dev.loadstar.scaling.LaunchTemplate}.
 */
package dev.loadstar.scaling;
