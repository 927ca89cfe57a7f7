package dev.loadstar.scaling.internal;

import dev.loadstar.core.config.Checks;
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

  /** Null when the provider has no zones and none was asked for; else an error unless the zone is one of them. */
  public static IllegalArgumentException unknown(String zone, List<String> zones) {
    if (zones.isEmpty() ? zone == null : zones.contains(zone)) {
      return null;
    }
    return Checks.invalid("zone", zone == null ? "null" : "\"" + zone + "\"",
        zones.isEmpty() ? "none: the provider has no zones" : "one of " + String.join(", ", zones));
  }
}
