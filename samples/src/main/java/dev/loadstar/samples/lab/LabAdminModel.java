package dev.loadstar.samples.lab;

import dev.loadstar.core.TargetGroup;
import dev.loadstar.healthcheck.HealthCheck;
import dev.loadstar.gateway.admin.AdminModel;
import dev.loadstar.gateway.admin.LabControls;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * The lab as the admin API sees it: the target group {@value SeedLab#TARGET_GROUP} with the lab's health check, the
 * gateway {@value SeedLab#LOAD_BALANCER} with its rules, the scaling group {@value SeedLab#SCALING_GROUP}, and lab
 * controls that stop and start an instance's web server through the same {@link SeedLab} methods as the console's
 * {@code stop-web} and {@code start-web} (so the timeline records them too).
 */
public final class LabAdminModel implements AdminModel {

  private final SeedLab lab;
  private final LabControls controls;

  /** The admin model of a started lab. */
  public LabAdminModel(SeedLab lab) {
    this.lab = lab;
    this.controls = new LabControls() {
      @Override
      public Future<Void> stopWebServer(String instanceId) {
        return known(instanceId) ? lab.stopWebServer(instanceId) : unknown(instanceId);
      }

      @Override
      public Future<Void> startWebServer(String instanceId) {
        return known(instanceId) ? lab.startWebServer(instanceId) : unknown(instanceId);
      }
    };
  }

  private boolean known(String instanceId) {
    return lab.scalingGroup().instance(instanceId) != null && lab.provider().isRunning(instanceId);
  }

  private Future<Void> unknown(String instanceId) {
    return Future.failedFuture(new NoSuchElementException("instance \"" + instanceId + "\" is not a running instance"
        + " of " + SeedLab.SCALING_GROUP + " (running: " + lab.scalingGroup().instances().stream()
        .map(i -> i.id()).filter(lab.provider()::isRunning).toList() + ")"));
  }

  @Override
  public Map<String, TargetGroup> targetGroups() {
    return Map.of(SeedLab.TARGET_GROUP, lab.targetGroup());
  }

  @Override
  public HealthCheck healthCheck(String targetGroup) {
    return SeedLab.TARGET_GROUP.equals(targetGroup) ? lab.settings().healthCheck() : HealthCheck.defaults();
  }

  @Override
  public List<ListenerInfo> listeners() {
    return List.of(new ListenerInfo(SeedLab.LOAD_BALANCER, "HTTP", lab.settings().host(), lab.listener().actualPort(),
        lab.ruleSet(), null));
  }

  @Override
  public Map<String, dev.loadstar.scaling.ScalingGroup> scalingGroups() {
    return Map.of(SeedLab.SCALING_GROUP, lab.scalingGroup());
  }

  @Override
  public Optional<LabControls> lab() {
    return Optional.of(controls);
  }
}
