package dev.loadstar.core;

/**
 * One availability zone of a target group, as describe output and metrics break the group down: how many targets it
 * has, in which health, their load and request counts, and whether balancers in the zone keep requests in it.
 *
 * @param zone the zone name ({@code null} for the targets without a zone)
 * @param registered registered, non-draining targets in the zone
 * @param healthy those that receive traffic in normal operation ({@code healthy} or {@code unavailable})
 * @param unhealthy those that are {@code unhealthy}
 * @param inFlight requests in flight to the zone's targets
 * @param requests requests ended on the zone's targets (current members, since their registration)
 * @param failures of those, requests that ended with a failure outcome
 * @param servingLocally with {@code load_balancing.cross_zone.enabled} off: whether a balancer in this zone routes
 *     only to it now (false while the zone fails over to the group); always false with cross-zone on
 */
public record ZoneHealthDescription(String zone, int registered, int healthy, int unhealthy, int inFlight,
    long requests, long failures, boolean servingLocally) {
}
