package dev.loadstar.core;

import java.util.Map;

/**
 * A target group's sticky-session codec: opaque, authenticated cookie values that name a target, and
 * client-side session keys.
 *
 * <p>A cookie value reveals nothing about the target (its id is encrypted) and cannot be forged or altered
 * without the group's {@link StickinessKeys}. {@link #resolve} never fails: a forged, tampered, expired,
 * undecodable or foreign value, or one naming a target that is gone, unhealthy or draining, yields {@code null},
 * and the caller picks afresh and issues a new cookie.
 */
public interface StickySessions {

  /** The name of the cookie the balancer issues for this group ({@code LSALB} or {@code LSALBAPP}). */
  String cookieName();

  /** The target a cookie value names, if a new request may go to it now; else {@code null}. */
  RegisteredTarget resolve(String cookieValue);

  /**
   * As {@link #resolve(String)} for a request from a balancer in {@code context}'s zone: with cross-zone load
   * balancing off, a cookie naming a target in another zone yields {@code null} while the caller's zone serves
   * locally (see {@link TargetGroup#routableTarget(String, SelectionContext)}).
   */
  default RegisteredTarget resolve(String cookieValue, SelectionContext context) {
    return resolve(cookieValue);
  }

  /** A cookie value naming the target, valid for the group's stickiness duration from now. */
  String issue(RegisteredTarget target);

  /**
   * The target for a client-side session key: the target this key was last bound to while it can still take new
   * requests, else a fresh selection that the key is then bound to. Returns {@code null} when nothing is
   * selectable. Bindings expire after the stickiness duration (86400 s when stickiness is off).
   */
  RegisteredTarget selectForSession(String sessionKey, SelectionContext context);

  /**
   * How many live client-side session keys ({@link #selectForSession}) are bound to each target id, for dashboards.
   * Cookie stickiness is stateless (the value travels with the client), so cookies are not counted. Walks every
   * binding: call it rarely (e.g. once a second), never on a request path.
   */
  default Map<String, Integer> pinnedSessions() {
    return Map.of();
  }
}
