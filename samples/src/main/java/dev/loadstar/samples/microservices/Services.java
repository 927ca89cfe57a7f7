package dev.loadstar.samples.microservices;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The request handlers of the two backend services: {@code inventory} (stock per item) and {@code pricing} (prices,
 * and shopping carts kept in the memory of the instance that holds them), plus {@code GET /health}. Every answer names
 * the instance. Each
 * instance's server runs on one event loop, so its state needs no lock.
 */
public final class Services {

  /** The health check path every service answers with 200. */
  public static final String HEALTH_PATH = "/health";

  private Services() {
  }

  /** An item's price in cents: the same on every pricing instance. */
  public static int price(int item) {
    return 100 + 7 * item;
  }

  /**
   * {@code GET /items/{id}}: {@code {"item": 42, "inStock": 8, "instance": "inventory-1"}}, after
   * {@code delayMs} (so that requests are in flight when an instance crashes).
   */
  public static Handler<HttpServerRequest> inventory(Vertx vertx, String instance, long delayMs) {
    return req -> {
      if (health(req, instance)) {
        return;
      }
      Integer item = itemOf(req.path(), "/items/");
      if (req.method() != HttpMethod.GET || item == null) {
        notFound(req, instance);
        return;
      }
      JsonObject body = new JsonObject().put("item", item).put("inStock", item % 10 + 1).put("instance", instance);
      if (delayMs <= 0) {
        json(req, 200, body);
      } else {
        vertx.setTimer(delayMs, t -> json(req, 200, body));
      }
    };
  }

  /**
   * {@code GET /prices/{id}}: {@code {"item": 42, "price": 394, "instance": "pricing-1"}};
   * {@code POST /carts/{cart}/items/{id}} adds an item to a cart held by this instance and
   * {@code GET /carts/{cart}} reads it: {@code {"cart": "c-1", "items": [1, 2], "total": 221, "instance": ...}}.
   */
  public static Handler<HttpServerRequest> pricing(String instance) {
    Map<String, List<Integer>> carts = new ConcurrentHashMap<>();
    return req -> {
      if (health(req, instance)) {
        return;
      }
      String path = req.path();
      if (req.method() == HttpMethod.GET && path.startsWith("/prices/")) {
        Integer item = itemOf(path, "/prices/");
        if (item != null) {
          json(req, 200, new JsonObject().put("item", item).put("price", price(item)).put("instance", instance));
          return;
        }
      } else if (path.startsWith("/carts/")) {
        String[] parts = path.substring("/carts/".length()).split("/");
        String cart = parts[0];
        if (req.method() == HttpMethod.POST && parts.length == 3 && parts[1].equals("items")) {
          Integer item = itemOf(parts[2], "");
          if (item != null) {
            carts.computeIfAbsent(cart, c -> new ArrayList<>()).add(item);
            json(req, 200, cart(cart, carts.get(cart), instance));
            return;
          }
        } else if (req.method() == HttpMethod.GET && parts.length == 1) {
          json(req, 200, cart(cart, carts.getOrDefault(cart, List.of()), instance));
          return;
        }
      }
      notFound(req, instance);
    };
  }

  /** Answers {@code GET /health} (the target groups' health check path); returns whether it did. */
  private static boolean health(HttpServerRequest req, String instance) {
    if (req.method() == HttpMethod.GET && req.path().equals(HEALTH_PATH)) {
      json(req, 200, new JsonObject().put("status", "ok").put("instance", instance));
      return true;
    }
    return false;
  }

  private static JsonObject cart(String cart, List<Integer> items, String instance) {
    List<Integer> copy = List.copyOf(items);
    int total = copy.stream().mapToInt(Services::price).sum();
    return new JsonObject().put("cart", cart).put("items", new JsonArray(new ArrayList<>(copy))).put("total", total)
        .put("instance", instance);
  }

  static Integer itemOf(String path, String prefix) {
    if (!path.startsWith(prefix)) {
      return null;
    }
    try {
      return Integer.parseInt(path.substring(prefix.length()));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  static void json(HttpServerRequest req, int status, JsonObject body) {
    req.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
  }

  private static void notFound(HttpServerRequest req, String instance) {
    json(req, 404, new JsonObject().put("error", "no such resource: " + req.method() + " " + req.path())
        .put("instance", instance));
  }
}
