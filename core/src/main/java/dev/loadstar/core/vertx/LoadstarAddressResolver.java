package dev.loadstar.core.vertx;

import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.config.Checks;
import dev.loadstar.core.internal.vertx.GroupEndpointResolver;
import dev.loadstar.core.internal.vertx.LoadstarLoadBalancer;
import io.vertx.core.Vertx;
import io.vertx.core.net.AddressResolver;
import io.vertx.core.net.endpoint.LoadBalancer;
import io.vertx.core.spi.endpoint.EndpointResolver;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Lets a plain Vert.x {@code HttpClient} send to Loadstar target groups by name, through Vert.x 5's client-side
 * load-balancing SPI:
 *
 * <pre>{@code
 * LoadstarAddressResolver resolver = LoadstarAddressResolver.create().addTargetGroup(orders);
 * HttpClientAgent client = vertx.httpClientBuilder()
 *     .withAddressResolver(resolver)
 *     .withLoadBalancer(LoadstarAddressResolver.loadBalancer())
 *     .build();
 * client.request(new RequestOptions().setServer(TargetGroupAddress.of("orders")).setURI("/api"));
 * }</pre>
 *
 * <p>The resolver offers Vert.x the group's targets that may take new requests now (healthy or health-check-free
 * targets, or every non-draining target while the group fails open) and refreshes that list on every membership
 * or health change. With {@link #loadBalancer()} selection goes through the group's own algorithm and requests
 * are counted in flight and their outcomes recorded on the targets; with any other Vert.x {@code LoadBalancer}
 * Vert.x selects among the same list. Retries, sticky cookies and the retry budget are only in
 * {@link dev.loadstar.core.LoadBalancedClient}. Thread-safe.
 */
public final class LoadstarAddressResolver implements AddressResolver<TargetGroupAddress> {

  private final ConcurrentHashMap<String, TargetGroup> groups = new ConcurrentHashMap<>();

  private LoadstarAddressResolver() {
  }

  /** A resolver with no target groups yet. */
  public static LoadstarAddressResolver create() {
    return new LoadstarAddressResolver();
  }

  /**
   * Loadstar's Vert.x {@code LoadBalancer}: selects with the target group's algorithm, counts each request in
   * flight on its target and records its outcome (connection failures and resets as failures; status codes are
   * not visible to this SPI, so a 5xx response counts as a success). Stateless; share it.
   */
  public static LoadBalancer loadBalancer() {
    return LoadstarLoadBalancer.INSTANCE;
  }

  /** Makes a target group resolvable by its name, replacing a group of the same name; returns this resolver. */
  public LoadstarAddressResolver addTargetGroup(TargetGroup group) {
    Checks.notNull("group", group);
    groups.put(group.name(), group);
    return this;
  }

  /** Makes the named group unresolvable (clients re-resolve and fail); returns it, or {@code null}. */
  public TargetGroup removeTargetGroup(String name) {
    return groups.remove(Checks.notNull("name", name));
  }

  /** The target group resolvable under this name, or {@code null}. */
  public TargetGroup targetGroup(String name) {
    return groups.get(name);
  }

  /** Called by Vert.x once per client built with this resolver. */
  @Override
  public EndpointResolver<TargetGroupAddress, ?, ?, ?> endpointResolver(Vertx vertx) {
    return new GroupEndpointResolver<>(groups::get);
  }
}
