package dev.loadstar.scaling.internal;

import dev.loadstar.scaling.Instance;
import dev.loadstar.scaling.InstanceState;
import dev.loadstar.scaling.LifecycleActionContext;
import dev.loadstar.scaling.LifecycleHook;
import dev.loadstar.scaling.ScalingActivityStatus;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the lifecycle hooks of a transition one after the other, each with its heartbeat timeout (restarted by
 * {@link LifecycleActionContext#recordHeartbeat()}) and its default result on failure or timeout. The instance waits
 * in {@code Pending:Wait} or {@code Terminating:Wait} meanwhile. Confined to the group's context.
 */
final class HookRunner {

  private final GroupState state;

  HookRunner(GroupState state) {
    this.state = state;
  }

  /**
   * Runs the transition's hooks; the result is {@code ABANDON} when one abandoned (a launch stops at the first
   * {@code ABANDON}; a termination runs every hook), else {@code CONTINUE}.
   */
  Future<LifecycleHook.Result> run(ManagedInstance m, LifecycleHook.Transition transition, Activity act) {
    List<LifecycleHook> hooks = new ArrayList<>();
    for (LifecycleHook h : state.config.lifecycleHooks()) {
      if (h.transition() == transition) {
        hooks.add(h);
      }
    }
    if (hooks.isEmpty()) {
      return Future.succeededFuture(LifecycleHook.Result.CONTINUE);
    }
    state.setState(m, transition == LifecycleHook.Transition.LAUNCHING ? InstanceState.PENDING_WAIT
        : InstanceState.TERMINATING_WAIT);
    act.status(ScalingActivityStatus.MID_LIFECYCLE_ACTION);
    Future<LifecycleHook.Result> chain = Future.succeededFuture(LifecycleHook.Result.CONTINUE);
    for (LifecycleHook hook : hooks) {
      chain = chain.compose(r -> {
        if (r == LifecycleHook.Result.ABANDON && transition == LifecycleHook.Transition.LAUNCHING) {
          return Future.succeededFuture(r);
        }
        return runOne(m, hook, transition).map(r2 -> r == LifecycleHook.Result.ABANDON ? r : r2);
      });
    }
    return chain;
  }

  private Future<LifecycleHook.Result> runOne(ManagedInstance m, LifecycleHook hook,
      LifecycleHook.Transition transition) {
    Promise<LifecycleHook.Result> result = Promise.promise();
    long timeoutMs = Math.max(1, hook.heartbeatTimeout().toMillis());
    long[] timer = {-1};
    Runnable arm = () -> {
      if (timer[0] >= 0) {
        state.time.cancelTimer(timer[0]);
      }
      timer[0] = state.time.setTimer(timeoutMs, () -> result.tryComplete(hook.defaultResult()));
    };
    arm.run();
    Instance snapshot = m.view();
    String groupName = state.name();
    LifecycleActionContext context = new LifecycleActionContext() {
      @Override
      public String groupName() {
        return groupName;
      }

      @Override
      public String hookName() {
        return hook.name();
      }

      @Override
      public LifecycleHook.Transition transition() {
        return transition;
      }

      @Override
      public Instance instance() {
        return snapshot;
      }

      @Override
      public void recordHeartbeat() {
        state.ctx.runOnContext(v -> {
          if (!result.future().isComplete()) {
            arm.run();
          }
        });
      }
    };
    state.hop(GroupState.safe(() -> hook.handler().handle(context))).onComplete(ar -> result.tryComplete(
        ar.succeeded() && ar.result() != null ? ar.result() : hook.defaultResult()));
    return result.future().andThen(ar -> state.time.cancelTimer(timer[0]));
  }
}
