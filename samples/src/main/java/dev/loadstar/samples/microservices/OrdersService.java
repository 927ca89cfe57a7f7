package dev.loadstar.samples.microservices;

import dev.loadstar.core.LoadBalancedClient;
import dev.loadstar.core.LoadBalancedResponse;
import dev.loadstar.routing.Action;
import dev.loadstar.routing.Condition;
import dev.loadstar.routing.Rule;
import dev.loadstar.routing.RuleSet;
import dev.loadstar.routing.RuleSetRouter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@code orders} service: it calls {@code inventory} and {@code pricing} through one {@link LoadBalancedClient}
 * whose {@link RuleSetRouter} picks the target group from the URL's host ({@code http://inventory.internal/...},
 * {@code http://pricing.internal/...}), the way an application calls its dependencies by name.
 *
 * <ul>
 *   <li>{@code POST /orders/{item}}: looks the item up in inventory and pricing (both at once) and answers
 *   {@code {"order": 7, "item": 42, "inStock": 3, "price": 394, "inventory": "inventory-2", "pricing": "pricing-1",
 *   "inventoryAttempts": 1}}; a crashed inventory instance costs a retry on the other one, not an error.</li>
 *   <li>{@code POST /carts/{cart}/items/{item}} and {@code GET /carts/{cart}}: the cart lives in the memory of one
 *   pricing instance; the pricing group's {@code lb_cookie} stickiness keeps every call of a cart on that instance.
 *   The orders service stays stateless: it forwards the shopper's {@code Cookie} header to pricing and hands the
 *   balancer's renewed cookie back with {@code Set-Cookie}.</li>
 * </ul>
 */
public final class OrdersService {

  /** The host name that routes to the inventory group. */
  public static final String INVENTORY_HOST = "inventory.internal";
  /** The host name that routes to the pricing group. */
  public static final String PRICING_HOST = "pricing.internal";

  private final LoadBalancedClient client;
  private final HttpServer server;
  private final AtomicInteger orders = new AtomicInteger();

  private OrdersService(LoadBalancedClient client, HttpServer server) {
    this.client = client;
    this.server = server;
  }

  /** The client-side rules: host {@value #INVENTORY_HOST} to group {@code inventory}, {@value #PRICING_HOST} to {@code pricing}. */
  public static RuleSet rules(String inventoryGroup, String pricingGroup) {
    return RuleSet.builder()
        .rule(Rule.named("inventory", 10, Action.forward(inventoryGroup), Condition.hostHeader(INVENTORY_HOST)))
        .rule(Rule.named("pricing", 20, Action.forward(pricingGroup), Condition.hostHeader(PRICING_HOST)))
        .defaultAction(Action.fixedResponse(404, "text/plain", "no such service"))
        .build();
  }

  /** Starts the orders service on 127.0.0.1 (port 0) over {@code client}, whose router must know both hosts. */
  public static Future<OrdersService> start(Vertx vertx, LoadBalancedClient client) {
    OrdersService[] self = new OrdersService[1];
    return vertx.createHttpServer().requestHandler(req -> self[0].handle(req)).listen(0, "127.0.0.1")
        .map(server -> self[0] = new OrdersService(client, server));
  }

  /** The bound port. */
  public int port() {
    return server.actualPort();
  }

  /** Stops the server (the client belongs to the caller). */
  public Future<Void> close() {
    return server.close();
  }

  private void handle(HttpServerRequest req) {
    String[] parts = req.path().split("/");
    // "/orders/42" -> ["", "orders", "42"]; "/carts/c-1/items/7" -> ["", "carts", "c-1", "items", "7"]
    if (req.method() == HttpMethod.POST && parts.length == 3 && parts[1].equals("orders")) {
      Integer item = Services.itemOf(parts[2], "");
      if (item != null) {
        order(req, item);
        return;
      }
    } else if (parts.length >= 3 && parts[1].equals("carts")) {
      if (req.method() == HttpMethod.POST && parts.length == 5 && parts[3].equals("items")) {
        cartCall(req, HttpMethod.POST, "/carts/" + parts[2] + "/items/" + parts[4]);
        return;
      }
      if (req.method() == HttpMethod.GET && parts.length == 3) {
        cartCall(req, HttpMethod.GET, "/carts/" + parts[2]);
        return;
      }
    }
    Services.json(req, 404, new JsonObject().put("error", "no such resource: " + req.method() + " " + req.path()));
  }

  private void order(HttpServerRequest req, int item) {
    Future<LoadBalancedResponse> stock = client.requestAbs(HttpMethod.GET, "http://" + INVENTORY_HOST + "/items/" + item)
        .send();
    Future<LoadBalancedResponse> price = client.requestAbs(HttpMethod.GET, "http://" + PRICING_HOST + "/prices/" + item)
        .send();
    Future.all(stock, price).onComplete(ar -> {
      if (ar.failed()) {
        Services.json(req, 502, new JsonObject().put("error", String.valueOf(ar.cause().getMessage())));
        return;
      }
      LoadBalancedResponse s = stock.result();
      LoadBalancedResponse p = price.result();
      if (s.statusCode() != 200 || p.statusCode() != 200) {
        Services.json(req, 502, new JsonObject().put("error", "inventory answered " + s.statusCode()
            + ", pricing answered " + p.statusCode()));
        return;
      }
      JsonObject inventory = new JsonObject(s.bodyAsString());
      JsonObject pricing = new JsonObject(p.bodyAsString());
      Services.json(req, 200, new JsonObject()
          .put("order", orders.incrementAndGet())
          .put("item", item)
          .put("inStock", inventory.getInteger("inStock"))
          .put("price", pricing.getInteger("price"))
          .put("inventory", inventory.getString("instance"))
          .put("pricing", pricing.getString("instance"))
          .put("inventoryAttempts", s.attempts())
          .put("pricingAttempts", p.attempts()));
    });
  }

  private void cartCall(HttpServerRequest req, HttpMethod method, String path) {
    var call = client.requestAbs(method, "http://" + PRICING_HOST + path);
    String cookie = req.getHeader(HttpHeaders.COOKIE);
    if (cookie != null) {
      call.putHeader(HttpHeaders.COOKIE.toString(), cookie);
    }
    call.send().onComplete(ar -> {
      if (ar.failed()) {
        Services.json(req, 502, new JsonObject().put("error", String.valueOf(ar.cause().getMessage())));
        return;
      }
      LoadBalancedResponse r = ar.result();
      if (r.stickyCookiePair() != null) {
        req.response().putHeader(HttpHeaders.SET_COOKIE, r.stickyCookiePair() + "; Path=/; HttpOnly");
      }
      req.response().setStatusCode(r.statusCode()).putHeader("content-type", "application/json")
          .end(r.bodyAsString() == null ? "" : r.bodyAsString());
    });
  }
}
