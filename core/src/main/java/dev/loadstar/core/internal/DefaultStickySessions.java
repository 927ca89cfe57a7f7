package dev.loadstar.core.internal;

import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.SelectionContext;
import dev.loadstar.core.Stickiness;
import dev.loadstar.core.StickinessKeys;
import dev.loadstar.core.StickySessions;
import java.time.Clock;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Cookie values through {@link CookieCodec}; session keys in a bounded map of key to target id.
 */
final class DefaultStickySessions implements StickySessions {

  /** Most session-key bindings kept per group; beyond it expired and then arbitrary bindings are dropped. */
  static final int MAX_SESSION_BINDINGS = 100_000;
  /**
   * What an eviction leaves: 90% of the bound, so one O(n) sweep frees room for a tenth of the bound and a new key
   * costs O(1) amortised once the map is full.
   */
  static final int AFTER_EVICTION = MAX_SESSION_BINDINGS / 10 * 9;

  private final DefaultTargetGroup group;
  private final Clock clock;
  private final CookieCodec codec;
  private final long durationSeconds;
  private final String cookieName;
  private final ConcurrentHashMap<String, Binding> sessions = new ConcurrentHashMap<>();
  /** Sweeps run by {@link #evict} (read by tests). */
  final java.util.concurrent.atomic.LongAdder sweeps = new java.util.concurrent.atomic.LongAdder();

  private record Binding(String targetId, long expiresAtMillis) {
  }

  /** Session-key bindings held now. */
  int bindings() {
    return sessions.size();
  }

  DefaultStickySessions(DefaultTargetGroup group, Clock clock) {
    this.group = group;
    this.clock = clock;
    Stickiness s = group.config().stickiness();
    StickinessKeys keys = s.keys() != null ? s.keys() : StickinessKeys.random();
    this.codec = new CookieCodec(keys.keys(), "tg:" + group.name());
    this.durationSeconds = s.duration().getSeconds();
    this.cookieName = s.type() == Stickiness.Type.APP_COOKIE ? Stickiness.APP_COOKIE_NAME : Stickiness.LB_COOKIE_NAME;
  }

  @Override
  public String cookieName() {
    return cookieName;
  }

  @Override
  public RegisteredTarget resolve(String cookieValue) {
    return resolve(cookieValue, SelectionContext.NONE);
  }

  @Override
  public RegisteredTarget resolve(String cookieValue, SelectionContext context) {
    String id = codec.decode(cookieValue, clock.millis() / 1000);
    return id == null ? null : group.routableTarget(id, context);
  }

  @Override
  public String issue(RegisteredTarget target) {
    return codec.encode(target.target().id(), clock.millis() / 1000 + durationSeconds);
  }

  @Override
  public RegisteredTarget selectForSession(String sessionKey, SelectionContext context) {
    long now = clock.millis();
    Binding b = sessions.get(sessionKey);
    if (b != null && b.expiresAtMillis() > now) {
      RegisteredTarget t = group.routableTarget(b.targetId(), context);
      if (t != null) {
        if (b.expiresAtMillis() - now < durationSeconds * 500) {
          // renew on use (as ALB resets cookie expiry on every request), at most twice per duration
          sessions.replace(sessionKey, b, new Binding(b.targetId(), now + durationSeconds * 1000));
        }
        return t;
      }
    }
    RegisteredTarget chosen = group.select(context);
    if (chosen == null) {
      return null;
    }
    if (sessions.size() >= MAX_SESSION_BINDINGS) {
      evict(now);
    }
    Binding fresh = new Binding(chosen.target().id(), now + durationSeconds * 1000);
    boolean bound = b == null ? sessions.putIfAbsent(sessionKey, fresh) == null : sessions.replace(sessionKey, b, fresh);
    if (!bound) {
      // a concurrent request with the same key bound it first: follow that binding when it is usable
      Binding winner = sessions.get(sessionKey);
      RegisteredTarget t = winner == null ? null : group.routableTarget(winner.targetId(), context);
      if (t != null) {
        return t;
      }
      sessions.put(sessionKey, fresh);
    }
    return chosen;
  }

  @Override
  public Map<String, Integer> pinnedSessions() {
    long now = clock.millis();
    Map<String, Integer> out = new java.util.HashMap<>();
    for (Binding b : sessions.values()) {
      if (b.expiresAtMillis() > now) {
        out.merge(b.targetId(), 1, Integer::sum);
      }
    }
    return out;
  }

  private void evict(long now) {
    sweeps.increment();
    sessions.values().removeIf(x -> x.expiresAtMillis() <= now);
    Iterator<Map.Entry<String, Binding>> it = sessions.entrySet().iterator();
    while (sessions.size() > AFTER_EVICTION && it.hasNext()) {
      it.next();
      it.remove();
    }
  }
}
