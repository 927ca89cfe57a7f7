package dev.loadstar.gateway.internal.admin;

import dev.loadstar.core.Target;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/** Reads the admin API's JSON bodies: a target to register, typed fields. */
final class Bodies {

  private static final List<String> TARGET_FIELDS = List.of("id", "host", "port", "weight", "zone", "metadata");

  private Bodies() {
  }

  /** The target a {@code POST .../targets} body describes. */
  static Target target(JsonObject body) {
    for (String key : body.fieldNames()) {
      if (!TARGET_FIELDS.contains(key)) {
        throw new ApiError(400, "ValidationError", key + ": unknown field (expected: id, host, port, weight, zone, "
            + "metadata)");
      }
    }
    String id = string(body, "id");
    String host = string(body, "host");
    Integer port = integer(body, "port");
    if (id == null || host == null || port == null) {
      throw new ApiError(400, "ValidationError", (id == null ? "id" : host == null ? "host" : "port")
          + ": missing (expected: a target {\"id\": ..., \"host\": ..., \"port\": ...})");
    }
    try {
      Target.Builder b = Target.builder(id, host, port);
      Integer weight = integer(body, "weight");
      if (weight != null) {
        b.weight(weight);
      }
      String zone = string(body, "zone");
      if (zone != null) {
        b.zone(zone);
      }
      Object meta = body.getValue("metadata");
      if (meta != null) {
        if (!(meta instanceof JsonObject mo)) {
          throw new ApiError(400, "ValidationError", "metadata: " + meta + " (expected: an object of strings)");
        }
        for (Map.Entry<String, Object> e : mo) {
          b.metadata(e.getKey(), String.valueOf(e.getValue()));
        }
      }
      return b.build();
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new ApiError(400, "ValidationError", e.getMessage());
    }
  }

  /** A string field, or null when absent. */
  static String string(JsonObject o, String key) {
    Object v = o.getValue(key);
    if (v == null) {
      return null;
    }
    if (!(v instanceof String s)) {
      throw new ApiError(400, "ValidationError", key + ": " + v + " (expected: a string)");
    }
    return s;
  }

  /** A whole-number field, or null when absent. */
  static Integer integer(JsonObject o, String key) {
    Object v = o.getValue(key);
    if (v == null) {
      return null;
    }
    if (!(v instanceof Integer || v instanceof Long) || ((Number) v).longValue() != ((Number) v).intValue()) {
      throw new ApiError(400, "ValidationError", key + ": " + (v instanceof String ? "\"" + v + "\"" : v)
          + " (expected: a whole number)");
    }
    return ((Number) v).intValue();
  }
}
