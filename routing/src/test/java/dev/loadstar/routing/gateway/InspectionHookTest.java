package dev.loadstar.routing.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.routing.Action;
import dev.loadstar.routing.HttpListener;
import dev.loadstar.routing.InspectionContext;
import dev.loadstar.routing.ListenerConfig;
import dev.loadstar.routing.RuleSet;
import dev.loadstar.routing.Verdict;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The ordered hook chain in front of every forward: pass, modify, reject, throw, async. */
class InspectionHookTest {

  private final GatewayFixture f = new GatewayFixture();

  @AfterEach
  void tearDown() {
    f.close();
  }

  @Test
  void hooksRunInOrderAndMayPassModifyOrReject() {
    f.group("web", f.backend("i-a"));
    List<String> audit = new CopyOnWriteArrayList<>();
    HttpListener.Builder b = HttpListener.builder(f.vertx).rules(RuleSet.of(Action.forward("web")))
        .hook(ctx -> {
          audit.add("audit " + ctx.method() + " " + ctx.uri() + " -> " + ctx.targetGroup());
          return Future.succeededFuture(Verdict.pass());
        })
        .hook(ctx -> ctx.headers().contains("authorization")
            ? Future.succeededFuture(Verdict.pass())
            : Future.succeededFuture(Verdict.reject(401, "missing credentials")))
        .hook(ctx -> {
          // asynchronous deny-list lookup, completing on a later event-loop turn
          Promise<Verdict> p = Promise.promise();
          f.vertx.setTimer(5, id -> p.complete(ctx.remoteAddress().equals("127.0.0.1") && ctx.uri().startsWith("/admin")
              ? Verdict.reject(403) : Verdict.pass()));
          return p.future();
        })
        .hook(ctx -> {
          ctx.headers().set("x-forwarded-for", "overwritten-by-hook");
          return Future.succeededFuture(Verdict.pass());
        });
    f.start(b, ListenerConfig.builder());

    GatewayFixture.Resp unauthorized = f.get("/a");
    assertThat(unauthorized.status()).isEqualTo(401);
    assertThat(unauthorized.body()).isEqualTo("missing credentials");

    GatewayFixture.Resp denied = f.get("/admin", GatewayFixture.headers("Authorization", "Bearer t"));
    assertThat(denied.status()).isEqualTo(403);
    assertThat(denied.body()).isEmpty();

    GatewayFixture.Resp ok = f.get("/b", GatewayFixture.headers("Authorization", "Bearer t"));
    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.body()).isEqualTo("i-a");
    assertThat(ok.headers().get("x-seen-xff")).isEqualTo("overwritten-by-hook");

    assertThat(audit).containsExactly("audit GET /a -> web", "audit GET /admin -> web", "audit GET /b -> web");
    assertThat(f.listener.stats().hookRejections()).isEqualTo(2);
  }

  @Test
  void verdictsCompletedOnAnotherThreadAreAppliedOnTheConnectionsEventLoop() throws Exception {
    f.group("web", f.backend("i-a"));
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
    try {
      HttpListener.Builder b = HttpListener.builder(f.vertx).rules(RuleSet.of(Action.forward("web")))
          .hook(ctx -> {
            // a hook backed by a library with its own threads (a CompletableFuture answered from its pool)
            Promise<Verdict> p = Promise.promise();
            pool.execute(() -> p.complete(ctx.uri().startsWith("/deny") ? Verdict.reject(403, "denied")
                : Verdict.pass()));
            return p.future();
          });
      f.start(b, ListenerConfig.builder());
      for (int i = 0; i < 20; i++) {
        GatewayFixture.Resp denied = f.get("/deny/" + i);
        assertThat(denied.status()).isEqualTo(403);
        assertThat(denied.body()).isEqualTo("denied");
        GatewayFixture.Resp ok = f.get("/ok/" + i);
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo("i-a");
      }
      assertThat(f.listener.stats().hookRejections()).isEqualTo(20);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void throwingOrFailingHookGives500AndTheListenerKeepsServing() {
    f.group("web", f.backend("i-a"));
    HttpListener.Builder b = HttpListener.builder(f.vertx).rules(RuleSet.of(Action.forward("web")))
        .hook((InspectionContext ctx) -> {
          if (ctx.uri().equals("/throw")) {
            throw new IllegalStateException("hook bug");
          }
          if (ctx.uri().equals("/fail")) {
            return Future.failedFuture(new IllegalStateException("async hook bug"));
          }
          return Future.succeededFuture(Verdict.pass());
        });
    f.start(b, ListenerConfig.builder());
    assertThat(f.get("/throw").status()).isEqualTo(500);
    assertThat(f.get("/fail").status()).isEqualTo(500);
    assertThat(f.get("/fine").body()).isEqualTo("i-a");
    assertThat(f.listener.stats().elbResponses(500)).isEqualTo(2);
    // a forward's attempt ends once the response was written out, which the client may see first
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(f.groups.get("web").targets().get(0).requestCount()).isEqualTo(1));
  }

  @Test
  void hookThatNeverAnswersGets504AfterTheIdleTimeout() {
    f.group("web", f.backend("i-a"));
    Promise<Verdict> never = Promise.promise();
    HttpListener.Builder b = HttpListener.builder(f.vertx).rules(RuleSet.of(Action.forward("web")))
        .hook(ctx -> ctx.uri().equals("/stuck") ? never.future() : Future.succeededFuture(Verdict.pass()));
    // the listener closes a client connection idle for the idle timeout + 1 s: a loaded machine has been seen to take
    // over 2 s between the connect and the request (and the next request reuses the connection), so a shorter
    // timeout could close the connection instead of answering 504
    f.start(b, ListenerConfig.builder().idleTimeout(Duration.ofMillis(2_500)));
    assertThat(f.get("/stuck").status()).isEqualTo(504);
    assertThat(f.listener.stats().elbResponses(504)).isEqualTo(1);
    // the verdict that comes too late is ignored (listeners of a context-less promise run in complete())
    never.complete(Verdict.pass());
    assertThat(f.listener.stats().forwarded()).isZero();
    assertThat(f.get("/fine").body()).isEqualTo("i-a");
    // a forward's attempt ends once the response was written out, which the client may see first
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(f.groups.get("web").targets().get(0).requestCount()).isEqualTo(1));
  }

  @Test
  void hookThatBreaksTheForwardedRequestGets500AndTheTargetIsNotLeftInFlight() {
    f.group("web", f.backend("i-a"));
    HttpListener.Builder b = HttpListener.builder(f.vertx).rules(RuleSet.of(Action.forward("web")))
        .hook(ctx -> {
          if (ctx.uri().equals("/bad")) {
            ctx.headers().set("x-note", "split\r\nheader"); // refused when the request to the target is built
          }
          return Future.succeededFuture(Verdict.pass());
        });
    f.start(b, ListenerConfig.builder());
    assertThat(f.get("/bad").status()).isEqualTo(500);
    RegisteredTarget t = f.groups.get("web").targets().get(0);
    assertThat(t.inFlight()).isZero();
    assertThat(t.failureCount()).isZero();
    assertThat(f.listener.stats().elbResponses(500)).isEqualTo(1);
    assertThat(f.get("/fine").body()).isEqualTo("i-a");
  }
}
