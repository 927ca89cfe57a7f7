package dev.loadstar.core;

import io.vertx.core.net.SocketAddress;
import java.util.Collection;

/**
 * Something a balancer target ({@link Target.Kind#BALANCER}, ALB's {@code alb} target type) hands its requests to:
 * another {@link TargetGroup}, reached in process, or a listener of the routing module, reached at its address.
 *
 * <p>Balancers form a graph (a listener forwards to groups, a group holds balancer targets); a registration or rule
 * change that would close a loop is refused with the loop named, e.g. {@code target group a -> b -> a}.
 */
public interface Balancer {

  /** What kind of balancer this is, as loop errors name it: {@code target group} or {@code listener}. */
  String balancerType();

  /** Its name, as loop errors and describe output show it (a group's name; a listener's name). */
  String balancerName();

  /** The balancers it hands requests to now (a group: the delegates of its balancer targets). */
  Collection<? extends Balancer> downstream();

  /**
   * Where it accepts connections now (a started listener: its bound host and port), or {@code null} when it is
   * reached in process (a target group) or not listening.
   */
  default SocketAddress address() {
    return null;
  }
}
