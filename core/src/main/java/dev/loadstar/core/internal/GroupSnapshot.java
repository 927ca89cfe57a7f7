package dev.loadstar.core.internal;

import dev.loadstar.core.TargetHealth;
import dev.loadstar.core.TargetHealthDescription;
import dev.loadstar.core.TargetSelector;
import dev.loadstar.core.ZoneHealthDescription;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A target group's members as selection reads them: published whole on every change, never modified. */
final class GroupSnapshot {

  static final GroupSnapshot EMPTY = new GroupSnapshot(Collections.emptyMap(), TargetSelector.EMPTY, false, 0, null);

  final Map<String, DefaultRegisteredTarget> byId;
  final TargetSelector selector;
  final boolean failingOpen;
  final int eligibleCount;
  /**
   * With cross-zone load balancing off: one selector per zone that serves locally (enough routable targets), over
   * that zone's routable targets; a caller in a zone without an entry uses {@link #selector}. Null when cross-zone
   * is on.
   */
  final Map<String, TargetSelector> zoneSelectors;

  GroupSnapshot(Map<String, DefaultRegisteredTarget> byId, TargetSelector selector, boolean failingOpen,
      int eligibleCount, Map<String, TargetSelector> zoneSelectors) {
    this.byId = byId;
    this.selector = selector;
    this.failingOpen = failingOpen;
    this.eligibleCount = eligibleCount;
    this.zoneSelectors = zoneSelectors;
  }

  /** The selector for a caller in {@code zone}: its zone's while the zone serves locally, else the group's. */
  TargetSelector selectorFor(String zone) {
    Map<String, TargetSelector> zs = zoneSelectors;
    if (zs != null && zone != null) {
      TargetSelector local = zs.get(zone);
      if (local != null) {
        return local;
      }
    }
    return selector;
  }

  /** One row per member: target, health, in flight, anomaly state. */
  List<TargetHealthDescription> describeTargetHealth() {
    List<TargetHealthDescription> out = new ArrayList<>();
    for (DefaultRegisteredTarget t : byId.values()) {
      out.add(new TargetHealthDescription(t.target(), t.health(), t.inFlight(), t.anomalous(),
          t.mitigationInEffect()));
    }
    return out;
  }

  /** One row per zone (and one for targets without a zone) over the active members. */
  List<ZoneHealthDescription> describeZones() {
    Map<String, long[]> byZone = new LinkedHashMap<>();
    long[] none = null;
    for (DefaultRegisteredTarget t : byId.values()) {
      if (!t.isActive()) {
        continue;
      }
      String zone = t.target().zone();
      long[] c;
      if (zone == null) {
        c = none == null ? none = new long[6] : none;
      } else {
        c = byZone.computeIfAbsent(zone, z -> new long[6]);
      }
      c[0]++;
      if (t.health().isRoutable()) {
        c[1]++;
      } else if (t.health().state() == TargetHealth.State.UNHEALTHY) {
        c[2]++;
      }
      c[3] += t.inFlight();
      c[4] += t.requestCount();
      c[5] += t.failureCount();
    }
    List<ZoneHealthDescription> out = new ArrayList<>(byZone.size() + 1);
    byZone.forEach((zone, c) -> out.add(zoneRow(zone, c, zoneSelectors != null && zoneSelectors.containsKey(zone))));
    if (none != null) {
      out.add(zoneRow(null, none, false));
    }
    return out;
  }

  private static ZoneHealthDescription zoneRow(String zone, long[] c, boolean local) {
    return new ZoneHealthDescription(zone, (int) c[0], (int) c[1], (int) c[2], (int) c[3], c[4], c[5], local);
  }
}
