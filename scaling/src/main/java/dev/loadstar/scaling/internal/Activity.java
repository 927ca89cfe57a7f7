package dev.loadstar.scaling.internal;

import dev.loadstar.scaling.ScalingActivity;
import dev.loadstar.scaling.ScalingActivityStatus;
import java.time.Instant;
import java.util.UUID;

/**
 * An activity being recorded: every status change publishes a new {@link ScalingActivity} with the same id to the
 * history and the listeners. Policy-driven activities hold the policies back while they run and start the cooldown
 * when they end. Confined to the group's context.
 */
final class Activity {

  private final GroupState state;
  private final String id = UUID.randomUUID().toString();
  private final ScalingActivity.Kind kind;
  private final Instant start;
  private final boolean policyDriven;
  private final String cause;
  private String instanceId;
  private String description;
  private ScalingActivityStatus status;
  private String message;
  private Instant end;

  /** Starts an activity in progress. */
  Activity(GroupState state, ScalingActivity.Kind kind, String instanceId, String description, String cause,
      boolean policyDriven) {
    this(state, kind, instanceId, description, cause, policyDriven, ScalingActivityStatus.IN_PROGRESS);
  }

  /** Starts an activity in the given status. */
  Activity(GroupState state, ScalingActivity.Kind kind, String instanceId, String description, String cause,
      boolean policyDriven, ScalingActivityStatus initial) {
    this.state = state;
    this.status = initial;
    this.kind = kind;
    this.instanceId = instanceId;
    this.description = description;
    this.cause = cause;
    this.policyDriven = policyDriven;
    this.start = state.now();
    if (policyDriven) {
      state.policies.activityStarted();
    }
    record();
  }

  /** Names the instance once the provider gave its id, with the description that goes with it. */
  void instance(String id, String newDescription) {
    this.instanceId = id;
    if (newDescription != null) {
      this.description = newDescription;
    }
  }

  /** Moves to another status while running. */
  void status(ScalingActivityStatus s) {
    if (status != s && !status.isDone()) {
      status = s;
      record();
    }
  }

  /** Ends the activity (once). */
  void finish(ScalingActivityStatus s, String msg) {
    if (status.isDone()) {
      return;
    }
    status = s;
    message = msg;
    end = state.now();
    if (policyDriven) {
      state.policies.activityEnded();
    }
    record();
  }

  private void record() {
    state.record(new ScalingActivity(id, state.name(), kind, instanceId, description, cause, status, message, start,
        end));
  }
}
