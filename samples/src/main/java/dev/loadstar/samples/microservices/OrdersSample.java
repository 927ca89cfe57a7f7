package dev.loadstar.samples.microservices;

import dev.loadstar.core.LoadBalancedClient;
import dev.loadstar.core.LoadBalancedClientOptions;
import dev.loadstar.core.Stickiness;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.core.TargetHealth;
import dev.loadstar.healthcheck.HealthCheck;
import dev.loadstar.healthcheck.HealthChecker;
import dev.loadstar.healthcheck.OutlierDetection;
import dev.loadstar.routing.RuleSetRouter;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;
import java.util.stream.Collectors;

/**
 * The microservices sample, end to end: {@code inventory} and {@code pricing} (2 instances each, plain Vert.x servers
 * on 127.0.0.1), {@code orders} calling both through one {@link LoadBalancedClient} with host rules, a shopper placing
 * orders (one inventory instance is killed mid-run) and filling a cart kept on one pricing instance by stickiness.
 * Prints what happens and a summary; {@link #run()} returns 0 when every check held. Runs on the caller's thread,
 * which must not be a Vert.x event loop.
 */
public final class OrdersSample {

  /**
   * One check's verdict.
   *
   * @param name what is checked
   * @param happened what was seen
   * @param ok whether it held
   */
  public record Check(String name, String happened, boolean ok) {
  }

  /** One order as the shopper saw it. */
  private record Order(int n, int status, String inventory, String pricing, int inventoryAttempts,
      boolean sentAfterCrash, String error) {
    boolean ok() {
      return status == 200;
    }
  }

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final int BEFORE_CRASH = 20;
  private static final int AROUND_CRASH = 40;
  private static final int CRASH_AFTER = 10;
  private static final int CONCURRENCY = 4;

  private final Vertx vertx;
  private final PrintStream out;
  private final List<Check> checks = new ArrayList<>();
  private final List<ServiceInstance> instances = new ArrayList<>();
  private final List<HealthChecker> checkers = new ArrayList<>();
  private final List<TargetGroup> groups = new ArrayList<>();
  private final AtomicBoolean crashed = new AtomicBoolean();
  private final AtomicBoolean crashDone = new AtomicBoolean();
  private LoadBalancedClient client;
  private OrdersService orders;
  private WebClient shopper;

  /** A run on {@code vertx} printing to {@code out}. */
  public OrdersSample(Vertx vertx, PrintStream out) {
    this.vertx = vertx;
    this.out = out;
  }

  /** Runs the sample; returns 0 when every check held, 1 otherwise. Releases everything it started. */
  public int run() {
    try {
      TargetGroup inventory = group(TargetGroupConfig.builder("inventory"));
      TargetGroup pricing = group(TargetGroupConfig.builder("pricing").stickiness(Stickiness.lbCookie(
          Duration.ofHours(1))));
      ServiceInstance inventory1 = instance(inventory, "inventory-1", Services.inventory(vertx, "inventory-1", 20));
      instance(inventory, "inventory-2", Services.inventory(vertx, "inventory-2", 20));
      instance(pricing, "pricing-1", Services.pricing("pricing-1"));
      instance(pricing, "pricing-2", Services.pricing("pricing-2"));
      for (TargetGroup g : groups) {
        checkers.add(HealthChecker.start(vertx, g, HealthCheck.builder().path(Services.HEALTH_PATH).interval(Duration.ofSeconds(5))
            .timeout(Duration.ofSeconds(2)).healthyThresholdCount(2).unhealthyThresholdCount(2).build(),
            OutlierDetection.defaults()));
      }
      client = LoadBalancedClient.create(vertx, new LoadBalancedClientOptions().setConnectTimeoutMs(1000)
              .setRequestTimeoutMs(5000))
          .addTargetGroup(inventory).addTargetGroup(pricing)
          .router(RuleSetRouter.of(OrdersService.rules("inventory", "pricing")));
      orders = OrdersService.start(vertx, client).await();
      shopper = WebClient.create(vertx);
      out.println("orders on 127.0.0.1:" + orders.port() + " calls http://" + OrdersService.INVENTORY_HOST + " and http://"
          + OrdersService.PRICING_HOST + " through one LoadBalancedClient; rules: host-header "
          + OrdersService.INVENTORY_HOST + " -> forward inventory, host-header " + OrdersService.PRICING_HOST
          + " -> forward pricing (lb_cookie stickiness)");
      waitUntil("every instance healthy", () -> groups.stream().allMatch(g -> g.targets().stream()
          .allMatch(t -> t.health().state() == TargetHealth.State.HEALTHY)));
      out.println("every instance is healthy");

      out.println();
      out.println("== " + BEFORE_CRASH + " orders, " + CONCURRENCY + " at a time");
      List<Order> before = placeOrders(1, BEFORE_CRASH, n -> { });
      out.println();
      out.println("== " + AROUND_CRASH + " more orders; inventory-1 is killed after " + CRASH_AFTER + " of them");
      List<Order> around = placeOrders(BEFORE_CRASH + 1, AROUND_CRASH, done -> {
        if (done == CRASH_AFTER && crashed.compareAndSet(false, true)) {
          out.println("   -- inventory-1 crashes (its server closes with requests in flight)");
          inventory1.crash().onComplete(ar -> crashDone.set(true));
        }
      });
      List<Order> all = new ArrayList<>(before);
      all.addAll(around);
      checkRouting(all);
      checkSpread(before);
      checkCrash(around);
      checkEjection(inventory);
      out.println();
      out.println("== a shopping cart (lb_cookie stickiness on pricing)");
      checkCart();
      long failed = all.stream().filter(o -> !o.ok()).count();
      checks.add(new Check("every order succeeded", (all.size() - failed) + " of " + all.size() + " orders answered 200",
          failed == 0));
    } catch (RuntimeException e) {
      checks.add(new Check("the sample ran to the end", "it failed: " + e, false));
    } finally {
      close();
    }
    return summary();
  }

  private TargetGroup group(TargetGroupConfig.Builder config) {
    TargetGroup g = TargetGroup.create(vertx, config.healthCheckEnabled(true).deregistrationDelay(Duration.ofSeconds(10))
        .build());
    groups.add(g);
    return g;
  }

  private ServiceInstance instance(TargetGroup group, String name,
      io.vertx.core.Handler<io.vertx.core.http.HttpServerRequest> handler) {
    ServiceInstance i = ServiceInstance.start(vertx, name, handler).await();
    instances.add(i);
    group.register(i.target());
    out.println(group.name() + ": " + name + " on 127.0.0.1:" + i.port());
    return i;
  }

  /** Places {@code count} orders for items {@code first..}, {@value #CONCURRENCY} at a time; waits for all. */
  private List<Order> placeOrders(int first, int count, IntConsumer onDone) {
    List<Order> results = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger next = new AtomicInteger(first);
    AtomicInteger done = new AtomicInteger();
    List<Future<Void>> workers = new ArrayList<>();
    for (int w = 0; w < CONCURRENCY; w++) {
      Promise<Void> finished = Promise.promise();
      workers.add(finished.future());
      vertx.runOnContext(v -> orderLoop(next, first + count, results, done, onDone, finished));
    }
    Future.all(workers).await();
    List<Order> sorted = new ArrayList<>(results);
    sorted.sort((a, b) -> Integer.compare(a.n(), b.n()));
    return sorted;
  }

  private void orderLoop(AtomicInteger next, int end, List<Order> results, AtomicInteger done, IntConsumer onDone,
      Promise<Void> finished) {
    int n = next.getAndIncrement();
    if (n >= end) {
      finished.complete();
      return;
    }
    boolean afterCrash = crashDone.get();
    shopper.post(orders.port(), "127.0.0.1", "/orders/" + n).timeout(10_000).send().onComplete(ar -> {
      Order o;
      if (ar.succeeded() && ar.result().statusCode() == 200) {
        JsonObject b = ar.result().bodyAsJsonObject();
        o = new Order(n, 200, b.getString("inventory"), b.getString("pricing"), b.getInteger("inventoryAttempts"),
            afterCrash, null);
      } else {
        o = new Order(n, ar.succeeded() ? ar.result().statusCode() : 0, null, null, 0, afterCrash,
            ar.succeeded() ? ar.result().bodyAsString() : String.valueOf(ar.cause().getMessage()));
      }
      results.add(o);
      out.println(o.ok()
          ? String.format("   order %2d: 200  inventory %s%s, pricing %s", n, o.inventory(),
              o.inventoryAttempts() > 1 ? " (" + o.inventoryAttempts() + " attempts: retried on another instance)" : "",
              o.pricing())
          : String.format("   order %2d: FAILED %d %s", n, o.status(), o.error()));
      onDone.accept(done.incrementAndGet());
      orderLoop(next, end, results, done, onDone, finished);
    });
  }

  private void checkRouting(List<Order> all) {
    List<Order> ok = all.stream().filter(Order::ok).toList();
    boolean held = !ok.isEmpty() && ok.stream().allMatch(o -> o.inventory().startsWith("inventory-")
        && o.pricing().startsWith("pricing-"));
    checks.add(new Check("host rules send each call to its service", ok.size() + " orders: every inventory.internal"
        + " call answered by " + names(ok, true) + ", every pricing.internal call by " + names(ok, false), held));
  }

  private void checkSpread(List<Order> before) {
    Set<String> inv = names(before, true);
    Set<String> pri = names(before, false);
    checks.add(new Check("round robin spreads each service over its 2 instances", "before the crash inventory calls"
        + " went to " + inv + ", pricing calls to " + pri,
        inv.equals(Set.of("inventory-1", "inventory-2")) && pri.equals(Set.of("pricing-1", "pricing-2"))));
  }

  private void checkCrash(List<Order> around) {
    List<Order> after = around.stream().filter(Order::sentAfterCrash).toList();
    long retried = around.stream().filter(o -> o.ok() && o.inventoryAttempts() > 1).count();
    long failed = around.stream().filter(o -> !o.ok()).count();
    Set<String> inventoryAfter = names(after, true);
    checks.add(new Check("retries hide the crash of inventory-1", failed + " of " + around.size() + " orders failed; "
        + retried + " inventory call(s) were retried on the other instance; the " + after.size()
        + " orders sent after the crash were served by " + inventoryAfter,
        failed == 0 && retried >= 1 && !after.isEmpty() && inventoryAfter.equals(Set.of("inventory-2"))));
  }

  private void checkEjection(TargetGroup inventory) {
    boolean gone = waitFor(() -> inventory.target("inventory-1").health().state() == TargetHealth.State.UNHEALTHY);
    checks.add(new Check("inventory-1 leaves the rotation", "inventory-1 is " + inventory.target("inventory-1").health(),
        gone));
  }

  private void checkCart() {
    String cart = "c-" + Long.toHexString(System.nanoTime() & 0xffffff);
    String cookie = null;
    List<Integer> items = List.of(3, 14, 15);
    Set<String> served = new TreeSet<>();
    JsonObject last = null;
    for (int item : items) {
      HttpResponse<Buffer> r = cartCall(HttpMethod.POST, "/carts/" + cart + "/items/" + item, cookie);
      cookie = cookieFrom(r, cookie);
      JsonObject b = r.bodyAsJsonObject();
      served.add(b.getString("instance"));
      out.println("   add item " + item + " to " + cart + ": " + r.statusCode() + " " + b.encode());
    }
    HttpResponse<Buffer> r = cartCall(HttpMethod.GET, "/carts/" + cart, cookie);
    last = r.bodyAsJsonObject();
    served.add(last.getString("instance"));
    out.println("   read " + cart + ": " + r.statusCode() + " " + last.encode());
    int expectedTotal = items.stream().mapToInt(Services::price).sum();
    boolean held = served.size() == 1 && last.getJsonArray("items").getList().equals(items)
        && last.getInteger("total") == expectedTotal;
    checks.add(new Check("stickiness keeps the cart on one pricing instance", "4 cart calls served by " + served
        + "; the cart holds " + last.getJsonArray("items").encode() + ", total " + last.getInteger("total")
        + " (expected " + expectedTotal + ")", held));

    // the same calls from a shopper that drops the cookie: round robin scatters the cart
    String lost = cart + "-nocookie";
    Set<String> scattered = new TreeSet<>();
    for (int item : items) {
      JsonObject b = cartCall(HttpMethod.POST, "/carts/" + lost + "/items/" + item, null).bodyAsJsonObject();
      scattered.add(b.getString("instance"));
      out.println("   without the cookie, add item " + item + " to " + lost + ": " + b.encode());
    }
    checks.add(new Check("without the cookie the cart is scattered", "3 adds without the cookie went to "
        + scattered + ": no instance holds the whole cart", scattered.size() == 2));
  }

  private HttpResponse<Buffer> cartCall(HttpMethod method, String path, String cookie) {
    var req = shopper.request(method, orders.port(), "127.0.0.1", path).timeout(10_000);
    if (cookie != null) {
      req.putHeader(HttpHeaders.COOKIE.toString(), cookie);
    }
    HttpResponse<Buffer> r = req.send().await();
    if (r.statusCode() != 200) {
      throw new IllegalStateException(method + " " + path + " answered " + r.statusCode() + ": " + r.bodyAsString());
    }
    return r;
  }

  /** The {@code name=value} of the balancer's cookie set by the response, else the one the shopper had. */
  private static String cookieFrom(HttpResponse<Buffer> r, String previous) {
    for (String c : r.cookies()) {
      if (c.startsWith(Stickiness.LB_COOKIE_NAME + "=")) {
        return c.substring(0, c.indexOf(';') < 0 ? c.length() : c.indexOf(';'));
      }
    }
    return previous;
  }

  private static Set<String> names(List<Order> orders, boolean inventory) {
    return orders.stream().filter(Order::ok).map(o -> inventory ? o.inventory() : o.pricing())
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static void waitUntil(String what, BooleanSupplier condition) {
    if (!waitFor(condition)) {
      throw new IllegalStateException("timed out after " + WAIT.toSeconds() + " s waiting for " + what);
    }
  }

  /** Waits on this (non-event-loop) thread until the condition holds or {@link #WAIT} passed. */
  private static boolean waitFor(BooleanSupplier condition) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  private void close() {
    if (shopper != null) {
      shopper.close();
    }
    if (orders != null) {
      orders.close().await();
    }
    if (client != null) {
      client.close().await();
    }
    for (HealthChecker c : checkers) {
      c.close().await();
    }
    for (TargetGroup g : groups) {
      g.close().await();
    }
    for (ServiceInstance i : instances) {
      i.close().await();
    }
  }

  private int summary() {
    out.println();
    out.println("Summary of the orders sample");
    boolean all = true;
    for (Check c : checks) {
      out.printf(" %s  %s%n      %s%n", c.ok() ? "PASS" : "FAIL", c.name(), c.happened());
      all &= c.ok();
    }
    out.println(all ? "All " + checks.size() + " checks held." : checks.stream().filter(c -> !c.ok()).count() + " of "
        + checks.size() + " checks did not hold.");
    out.flush();
    return all ? 0 : 1;
  }
}
