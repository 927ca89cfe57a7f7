package dev.loadstar.scaling.internal;

import dev.loadstar.core.config.Checks;
import dev.loadstar.core.config.Params;
import io.vertx.core.json.JsonArray;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Availability zone lists of providers: validation and lookups. */
public final class Zones {

  private Zones() {
  }

  /** A validated copy: non-blank, unique names. */
  public static List<String> check(List<String> zones) {
    Checks.notNull("zones", zones);
    Set<String> seen = new HashSet<>();
    List<String> out = new ArrayList<>(zones.size());
    for (int i = 0; i < zones.size(); i++) {
      String z = Checks.notBlank("zones[" + i + "]", zones.get(i));
      if (!seen.add(z)) {
        throw Checks.invalid("zones[" + i + "]", "\"" + z + "\"", "unique zone names");
      }
      out.add(z);
    }
    return List.copyOf(out);
  }

  /** The {@code zones} parameter of a provider factory: an array of zone names, validated; empty when absent. */
  public static List<String> read(Params params) {
    JsonArray array = params.array("zones");
    if (array == null) {
      return List.of();
    }
    List<String> zones = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      Object z = array.getValue(i);
      if (!(z instanceof String s)) {
        throw Checks.invalid("zones[" + i + "]", Params.render(z), "a zone name");
      }
      zones.add(s);
    }
    return check(zones);
  }

  /** Null when the provider has no zones and none was asked for; else an error unless the zone is one of them. */
  public static IllegalArgumentException unknown(String zone, List<String> zones) {
    if (zones.isEmpty() ? zone == null : zones.contains(zone)) {
      return null;
    }
    return Checks.invalid("zone", zone == null ? "null" : "\"" + zone + "\"",
        zones.isEmpty() ? "none: the provider has no zones" : "one of " + String.join(", ", zones));
  }
}
