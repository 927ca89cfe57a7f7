package dev.loadstar.gateway.admin;

import dev.loadstar.core.TargetGroup;
import dev.loadstar.scaling.ScalingGroup;
import java.util.List;
import java.util.Map;

/** A model without groups, listeners or lab, as a minimal embedding would have (tests override what they need). */
class EmptyAdminModel implements AdminModel {
  @Override
  public Map<String, TargetGroup> targetGroups() {
    return Map.of();
  }

  @Override
  public List<ListenerInfo> listeners() {
    return List.of();
  }

  @Override
  public Map<String, ScalingGroup> scalingGroups() {
    return Map.of();
  }
}
