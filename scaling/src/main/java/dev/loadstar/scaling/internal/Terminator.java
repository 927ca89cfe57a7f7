package dev.loadstar.scaling.internal;

import dev.loadstar.scaling.InstanceState;
import dev.loadstar.scaling.LifecycleHook;
import dev.loadstar.scaling.ScalingActivity;
import dev.loadstar.scaling.ScalingActivityStatus;
import io.vertx.core.Future;
import io.vertx.core.Promise;

/**
 * Terminates instances: deregisters them from the attached target groups (waiting for the drain), runs the
 * terminating lifecycle hooks, then asks the provider, retrying a failed termination after
 * {@code launchBackoffInitial}. Confined to the group's context.
 */
final class Terminator {

  private final GroupState state;

  Terminator(GroupState state) {
    this.state = state;
  }

  /** Takes an instance out of service and terminates it; completes when the provider has terminated it. */
  Future<Void> terminate(ManagedInstance m, String cause, boolean policyDriven) {
    state.setState(m, InstanceState.TERMINATING);
    Activity act = new Activity(state, ScalingActivity.Kind.TERMINATE, m.id, "Terminating instance: " + m.id, cause,
        policyDriven);
    boolean registered = !m.registeredIn.isEmpty();
    Future<Void> drained = state.registrations.deregisterEverywhere(m);
    if (registered) {
      act.status(ScalingActivityStatus.WAITING_FOR_ELB_CONNECTION_DRAINING);
    }
    state.reconciler.request();
    return drained
        .transform(v -> state.hooks.run(m, LifecycleHook.Transition.TERMINATING, act))
        .transform(v -> {
          act.status(ScalingActivityStatus.IN_PROGRESS);
          return providerTerminate(m, act);
        });
  }

  private Future<Void> providerTerminate(ManagedInstance m, Activity act) {
    return state.hop(GroupState.safe(() -> state.provider.terminate(m.id))).transform(ar -> {
      if (ar.succeeded()) {
        // The activity ends first: whoever sees the instance gone sees its termination done.
        act.finish(ScalingActivityStatus.SUCCESSFUL, null);
        state.setState(m, InstanceState.TERMINATED);
        state.instances.remove(m.id);
        state.reconciler.request();
        return Future.succeededFuture();
      }
      act.finish(ScalingActivityStatus.FAILED, "Terminating the instance failed: " + GroupState.describe(ar.cause()));
      if (state.closed) {
        return Future.failedFuture(ar.cause());
      }
      Promise<Void> retried = Promise.promise();
      state.time.setTimer(state.config.launchBackoffInitial().toMillis(), () -> {
        Activity again = new Activity(state, ScalingActivity.Kind.TERMINATE, m.id, "Terminating instance: " + m.id,
            "At " + state.now() + " the termination of instance " + m.id + " was retried after a failure.", false);
        providerTerminate(m, again).onComplete(retried);
      });
      return retried.future();
    });
  }

  /** Terminates an instance that was never put in service (abandoned launch): no draining, no hooks. */
  void terminateQuietly(ManagedInstance m) {
    state.setState(m, InstanceState.TERMINATING);
    state.hop(GroupState.safe(() -> state.provider.terminate(m.id))).onComplete(ar -> {
      if (ar.failed()) {
        GroupState.LOG.log(System.Logger.Level.WARNING, "scaling group " + state.name() + ": cannot terminate "
            + m.id, ar.cause());
      }
      state.setState(m, InstanceState.TERMINATED);
      state.instances.remove(m.id);
      state.reconciler.request();
    });
  }
}
