package dev.loadstar.core;

import java.time.Instant;

/**
 * A target's health changed: from which value to which, and when.
 *
 * @param group the target group
 * @param target the target whose health changed
 * @param previous the health before the change
 * @param current the health after the change
 * @param time when the change was applied
 */
public record HealthChangeEvent(TargetGroup group, Target target, TargetHealth previous, TargetHealth current,
    Instant time) {

  @Override
  public String toString() {
    return group.name() + "/" + target.id() + ": " + previous.state().apiName() + " -> " + current + " at " + time;
  }
}
