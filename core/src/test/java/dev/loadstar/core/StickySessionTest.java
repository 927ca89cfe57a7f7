package dev.loadstar.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loadstar.core.Backends.Backend;
import dev.loadstar.core.internal.DefaultTargetGroup;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class StickySessionTest {

  private static final String KEY_1 = "first-secret-0123456789";
  private static final String KEY_2 = "second-secret-0123456789";

  private Vertx vertx;
  private Backends backends;
  private final List<LoadBalancedClient> clients = new ArrayList<>();

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    backends = new Backends(vertx);
  }

  @AfterEach
  void tearDown() {
    for (LoadBalancedClient c : clients) {
      c.close().await();
    }
    vertx.close().await();
  }

  private LoadBalancedClient client(TargetGroup group) {
    LoadBalancedClient c = LoadBalancedClient.create(vertx).addTargetGroup(group);
    clients.add(c);
    return c;
  }

  private static TargetGroupConfig.Builder config(Stickiness stickiness) {
    return TargetGroupConfig.builder("web").stickiness(stickiness).deregistrationDelay(Duration.ZERO);
  }

  private TargetGroup group(TargetGroupConfig config, Backend... members) {
    TargetGroup g = TargetGroup.create(vertx, config);
    for (Backend b : members) {
      g.register(b.target());
    }
    return g;
  }

  private static LoadBalancedResponse get(LoadBalancedClient client, String cookie) {
    LoadBalancedRequest r = client.get("web", "/");
    if (cookie != null) {
      r.stickyCookie(cookie);
    }
    LoadBalancedResponse resp = r.send().await();
    assertThat(resp.statusCode()).isEqualTo(200);
    assertThat(resp.bodyAsString()).isEqualTo(resp.target().id());
    return resp;
  }

  /** Sends requests carrying {@code cookie}; returns the targets that served them. Each fresh cookie is valid. */
  private static List<String> sendIgnoring(LoadBalancedClient client, TargetGroup group, String cookie, int n) {
    List<String> served = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      LoadBalancedResponse r = get(client, cookie);
      served.add(r.target().id());
      assertThat(r.stickyCookie()).isNotNull().isNotEqualTo(cookie);
      assertThat(group.stickySessions().resolve(r.stickyCookie()).target().id()).isEqualTo(r.target().id());
    }
    return served;
  }

  @Test
  void thousandRequestsWithTheCookieStayOnOneTarget() {
    Backend a = backends.start("i-a");
    Backend b = backends.start("i-b");
    Backend c = backends.start("i-c");
    TargetGroup group = group(config(Stickiness.lbCookie()).build(), a, b, c);
    LoadBalancedClient client = client(group);

    LoadBalancedResponse first = get(client, null);
    assertThat(first.stickyCookieName()).isEqualTo(Stickiness.LB_COOKIE_NAME);
    String target = first.target().id();
    String cookie = first.stickyCookie();
    int before = a.received.get() + b.received.get() + c.received.get();
    for (int i = 0; i < 1000; i++) {
      LoadBalancedResponse r = get(client, cookie);
      assertThat(r.target().id()).as("request %d", i).isEqualTo(target);
      cookie = r.stickyCookie();
    }
    assertThat(backends.get(target).received.get()).isEqualTo(1001);
    assertThat(a.received.get() + b.received.get() + c.received.get() - before).isEqualTo(1000);
  }

  @Test
  void cookieValueRevealsNeitherTheTargetIdNorItsAddress() {
    Backend a = backends.start("instance-alpha");
    TargetGroup group = group(config(Stickiness.lbCookie()).build(), a);
    String cookie = get(client(group), null).stickyCookie();
    assertThat(cookie).doesNotContain("instance").doesNotContain("127.0.0.1").doesNotContain(Integer.toString(a.port))
        .matches("[A-Za-z0-9_-]+");
  }

  @Test
  void cookieForwardedInCookieHeaderIsHonoured() {
    Backend a = backends.start("i-a");
    Backend b = backends.start("i-b");
    TargetGroup group = group(config(Stickiness.lbCookie()).build(), a, b);
    LoadBalancedClient client = client(group);
    LoadBalancedResponse first = get(client, null);
    for (int i = 0; i < 20; i++) {
      LoadBalancedResponse r = client.get("web", "/")
          .putHeader("Cookie", "theme=dark; " + first.stickyCookiePair() + "; lang=en")
          .send().await();
      assertThat(r.target().id()).isEqualTo(first.target().id());
    }
  }

  @Test
  void unhealthyTargetLosesStickinessAndANewCookieIsIssued() {
    Backend a = backends.start("i-a");
    Backend b = backends.start("i-b");
    TargetGroup group = group(config(Stickiness.lbCookie()).healthCheckEnabled(true).build(), a, b);
    group.updateHealth("i-a", TargetHealth.HEALTHY);
    group.updateHealth("i-b", TargetHealth.HEALTHY);
    LoadBalancedClient client = client(group);

    LoadBalancedResponse first = get(client, null);
    String stuck = first.target().id();
    String other = stuck.equals("i-a") ? "i-b" : "i-a";
    assertThat(get(client, first.stickyCookie()).target().id()).isEqualTo(stuck);

    group.updateHealth(stuck, TargetHealth.unhealthy(TargetHealth.Reason.TARGET_FAILED_HEALTH_CHECKS, "down"));
    LoadBalancedResponse moved = get(client, first.stickyCookie());
    assertThat(moved.target().id()).isEqualTo(other);
    assertThat(moved.stickyCookie()).isNotEqualTo(first.stickyCookie());
    String cookie = moved.stickyCookie();
    for (int i = 0; i < 50; i++) {
      LoadBalancedResponse r = get(client, cookie);
      assertThat(r.target().id()).isEqualTo(other);
      cookie = r.stickyCookie();
    }
  }

  @Test
  void forgedTamperedExpiredAndForeignCookiesAreIgnored() {
    Backend a = backends.start("i-a");
    Backend b = backends.start("i-b");
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    TargetGroupConfig cfg = config(Stickiness.lbCookie(Duration.ofSeconds(60)).withKeys(StickinessKeys.of(KEY_1)))
        .build();
    TargetGroup group = new DefaultTargetGroup(vertx, cfg, clock);
    group.register(a.target());
    group.register(b.target());
    LoadBalancedClient client = client(group);
    String valid = get(client, null).stickyCookie();
    String stuck = group.stickySessions().resolve(valid).target().id();

    // a cookie for the same group name and target signed with another key
    TargetGroup foreign = new DefaultTargetGroup(vertx,
        config(Stickiness.lbCookie().withKeys(StickinessKeys.of(KEY_2))).build(), clock);
    String foreignCookie = foreign.stickySessions().issue(foreign.register(backends.get(stuck).target()));
    // one character changed in the middle
    char[] chars = valid.toCharArray();
    int mid = chars.length / 2;
    chars[mid] = chars[mid] == 'A' ? 'B' : 'A';
    String tampered = new String(chars);
    List<String> bad = List.of("forged-cookie-value", "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB", tampered,
        foreignCookie, "%%%not-base64%%%", "");

    for (String cookie : bad) {
      Set<String> served = new HashSet<>(sendIgnoring(client, group, cookie, 4));
      assertThat(served).as("cookie %s", cookie).containsExactlyInAnyOrder("i-a", "i-b");
    }

    // still valid 59 s later; ignored once its 60 s have passed
    clock.advance(Duration.ofSeconds(59));
    for (int i = 0; i < 4; i++) {
      assertThat(get(client, valid).target().id()).isEqualTo(stuck);
    }
    clock.advance(Duration.ofSeconds(2));
    assertThat(group.stickySessions().resolve(valid)).isNull();
    assertThat(new HashSet<>(sendIgnoring(client, group, valid, 4))).containsExactlyInAnyOrder("i-a", "i-b");
  }

  @Test
  void cookieNamingADeregisteredTargetIsIgnored() {
    Backend a = backends.start("i-a");
    Backend b = backends.start("i-b");
    TargetGroup group = group(config(Stickiness.lbCookie()).build(), a, b);
    LoadBalancedClient client = client(group);
    LoadBalancedResponse first = get(client, null);
    String stuck = first.target().id();
    group.deregister(stuck).await();
    for (int i = 0; i < 10; i++) {
      LoadBalancedResponse r = get(client, first.stickyCookie());
      assertThat(r.target().id()).isNotEqualTo(stuck);
      assertThat(r.stickyCookie()).isNotEqualTo(first.stickyCookie());
    }
  }

  @Test
  void secondClientAndGroupWithTheSameKeyHonourTheCookie() {
    Backend a = backends.start("i-a");
    Backend b = backends.start("i-b");
    Backend c = backends.start("i-c");
    Stickiness sticky = Stickiness.lbCookie().withKeys(StickinessKeys.of(KEY_1));
    LoadBalancedClient first = client(group(config(sticky).build(), a, b, c));
    LoadBalancedResponse issued = get(first, null);
    // the second replica has its own group object and client (and a different registration order)
    LoadBalancedClient second = client(group(config(sticky).build(), c, b, a));
    String cookie = issued.stickyCookie();
    for (int i = 0; i < 100; i++) {
      LoadBalancedResponse r = get(second, cookie);
      assertThat(r.target().id()).isEqualTo(issued.target().id());
      cookie = r.stickyCookie();
    }
    // and a replica with its own random key does not
    LoadBalancedClient stranger = client(group(config(Stickiness.lbCookie()).build(), a, b, c));
    assertThat(new HashSet<>(sendIgnoring(stranger, stranger.targetGroup("web"), issued.stickyCookie(), 3)))
        .hasSize(3);
  }

  @Test
  void rotatedKeysStillVerifyCookiesSignedWithTheOldKey() {
    Backend a = backends.start("i-a");
    Backend b = backends.start("i-b");
    TargetGroup before = group(config(Stickiness.lbCookie().withKeys(StickinessKeys.of(KEY_1))).build(), a, b);
    LoadBalancedResponse old = get(client(before), null);

    TargetGroup rotated = group(config(Stickiness.lbCookie().withKeys(StickinessKeys.of(KEY_2, KEY_1))).build(), a, b);
    LoadBalancedClient client = client(rotated);
    LoadBalancedResponse renewed = null;
    for (int i = 0; i < 10; i++) {
      renewed = get(client, old.stickyCookie());
      assertThat(renewed.target().id()).isEqualTo(old.target().id());
    }
    // new cookies are signed with the new key: a group that dropped the old key honours them, not the old ones
    TargetGroup after = group(config(Stickiness.lbCookie().withKeys(StickinessKeys.of(KEY_2))).build(), a, b);
    assertThat(after.stickySessions().resolve(renewed.stickyCookie()).target().id())
        .isEqualTo(old.target().id());
    assertThat(after.stickySessions().resolve(old.stickyCookie())).isNull();
    assertThat(before.stickySessions().resolve(renewed.stickyCookie())).isNull();
  }

  @Test
  void cookieOfAnotherGroupIsIgnored() {
    Backend a = backends.start("i-a");
    StickinessKeys keys = StickinessKeys.of(KEY_1);
    TargetGroup web = group(config(Stickiness.lbCookie().withKeys(keys)).build(), a);
    TargetGroup api = TargetGroup.create(vertx, TargetGroupConfig.builder("api")
        .stickiness(Stickiness.lbCookie().withKeys(keys)).build());
    api.register(a.target());
    String webCookie = web.stickySessions().issue(web.target("i-a"));
    assertThat(web.stickySessions().resolve(webCookie)).isNotNull();
    assertThat(api.stickySessions().resolve(webCookie)).isNull();
  }

  @Test
  void noCookieWhenStickinessIsOff() {
    Backend a = backends.start("i-a");
    LoadBalancedResponse r = get(client(group(config(Stickiness.disabled()).build(), a)), null);
    assertThat(r.stickyCookie()).isNull();
    assertThat(r.stickyCookieName()).isNull();
    assertThat(r.stickyCookiePair()).isNull();
  }

  @Test
  void appCookieStickinessFollowsTheApplicationsCookie() {
    Backend a = backends.start("i-a");
    Backend b = backends.start("i-b");
    for (Backend x : List.of(a, b)) {
      x.handler = req -> {
        if (req.path().equals("/login")) {
          req.response().putHeader("Set-Cookie", "SESSIONID=" + x.name + "; Path=/; HttpOnly").end(x.name);
        } else {
          req.response().end(x.name);
        }
      };
    }
    TargetGroup group = group(config(Stickiness.appCookie("SESSIONID", Duration.ofHours(1))).build(), a, b);
    LoadBalancedClient client = client(group);

    // no application session yet: no balancer cookie, requests are balanced
    LoadBalancedResponse plain1 = client.get("web", "/").send().await();
    LoadBalancedResponse plain2 = client.get("web", "/").send().await();
    assertThat(plain1.stickyCookie()).isNull();
    assertThat(plain2.stickyCookie()).isNull();
    assertThat(plain1.target().id()).isNotEqualTo(plain2.target().id());

    // the target sets the application cookie: the balancer issues its own cookie naming that target
    LoadBalancedResponse login = client.get("web", "/login").send().await();
    String owner = login.target().id();
    assertThat(login.response().cookies()).containsExactly("SESSIONID=" + owner + "; Path=/; HttpOnly");
    assertThat(login.stickyCookieName()).isEqualTo(Stickiness.APP_COOKIE_NAME);
    assertThat(group.stickySessions().resolve(login.stickyCookie()).target().id()).isEqualTo(owner);

    // a browser-like caller forwards both cookies: every request goes to the owner, the cookie is renewed
    String lbCookie = login.stickyCookie();
    for (int i = 0; i < 20; i++) {
      LoadBalancedResponse r = client.get("web", "/cart")
          .putHeader("Cookie", "SESSIONID=" + owner + "; " + Stickiness.APP_COOKIE_NAME + "=" + lbCookie)
          .send().await();
      assertThat(r.target().id()).isEqualTo(owner);
      assertThat(r.stickyCookie()).isNotNull();
      lbCookie = r.stickyCookie();
    }
    // a caller without cookie headers passes the value directly
    for (int i = 0; i < 5; i++) {
      assertThat(client.get("web", "/cart").stickyCookie(lbCookie).send().await().target().id()).isEqualTo(owner);
    }
    // the owner becomes unusable: the session moves and the balancer cookie is rewritten for the new target
    group.deregister(owner).await();
    LoadBalancedResponse moved = client.get("web", "/cart")
        .putHeader("Cookie", "SESSIONID=" + owner + "; " + Stickiness.APP_COOKIE_NAME + "=" + lbCookie)
        .send().await();
    assertThat(moved.target().id()).isNotEqualTo(owner);
    assertThat(group.stickySessions().resolve(moved.stickyCookie()).target().id()).isEqualTo(moved.target().id());
  }

  @Test
  void sessionKeyStaysOnOneTargetAndMovesWhenItTurnsUnhealthy() {
    Backend a = backends.start("i-a");
    Backend b = backends.start("i-b");
    Backend c = backends.start("i-c");
    TargetGroup group = group(config(Stickiness.disabled()).healthCheckEnabled(true).build(), a, b, c);
    for (String id : List.of("i-a", "i-b", "i-c")) {
      group.updateHealth(id, TargetHealth.HEALTHY);
    }
    LoadBalancedClient client = client(group);

    String bound = client.get("web", "/").sessionKey("user-1").send().await().target().id();
    String otherKey = client.get("web", "/").sessionKey("user-2").send().await().target().id();
    assertThat(otherKey).isNotEqualTo(bound);
    for (int i = 0; i < 50; i++) {
      assertThat(client.get("web", "/").sessionKey("user-1").send().await().target().id()).isEqualTo(bound);
      client.get("web", "/").send().await(); // unrelated traffic moves the round robin along
    }
    group.updateHealth(bound, TargetHealth.unhealthy(TargetHealth.Reason.TARGET_TIMEOUT, "timed out"));
    String moved = client.get("web", "/").sessionKey("user-1").send().await().target().id();
    assertThat(moved).isNotEqualTo(bound);
    for (int i = 0; i < 50; i++) {
      assertThat(client.get("web", "/").sessionKey("user-1").send().await().target().id()).isEqualTo(moved);
      client.get("web", "/").send().await();
    }
    // healthy again: the key stays where it moved
    group.updateHealth(bound, TargetHealth.HEALTHY);
    assertThat(client.get("web", "/").sessionKey("user-1").send().await().target().id()).isEqualTo(moved);
  }

  @Test
  void pinnedSessionsCountLiveSessionKeysPerTarget() {
    TargetGroup group = TargetGroup.create(vertx, config(Stickiness.disabled()).healthCheckEnabled(true).build());
    group.register(Target.of("i-a", "127.0.0.1", 1));
    group.register(Target.of("i-b", "127.0.0.1", 2));
    group.updateHealth("i-a", TargetHealth.HEALTHY);
    group.updateHealth("i-b", TargetHealth.HEALTHY);
    assertThat(group.stickySessions().pinnedSessions()).isEmpty();

    java.util.Map<String, String> boundTo = new java.util.HashMap<>();
    for (String key : List.of("u1", "u2", "u3", "u1", "u2")) {
      String id = group.stickySessions().selectForSession(key, SelectionContext.NONE).target().id();
      assertThat(boundTo.putIfAbsent(key, id)).isIn(null, id);
    }
    java.util.Map<String, Integer> byTarget = new java.util.HashMap<>();
    boundTo.values().forEach(id -> byTarget.merge(id, 1, Integer::sum));
    assertThat(group.stickySessions().pinnedSessions()).isEqualTo(byTarget);
    assertThat(byTarget.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(3);
    group.close().await();
  }
}
