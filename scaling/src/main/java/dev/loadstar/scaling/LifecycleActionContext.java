package dev.loadstar.scaling;

/** What a {@link LifecycleHook.Handler} is told about the action it runs in. */
public interface LifecycleActionContext {

  /** The scaling group's name. */
  String groupName();

  /** The hook's name. */
  String hookName();

  /** The transition: launching or terminating. */
  LifecycleHook.Transition transition();

  /** The instance, as it is when the hook starts. */
  Instance instance();

  /** Restarts the heartbeat timeout (ASG's {@code RecordLifecycleActionHeartbeat}); callable from any thread. */
  void recordHeartbeat();
}
