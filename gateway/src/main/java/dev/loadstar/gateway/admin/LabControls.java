package dev.loadstar.gateway.admin;

import io.vertx.core.Future;

/**
 * What a lab lets the admin API do to its instances beyond what a scaling group does (the seed's
 * {@code service httpd stop}).
 *
 * <p>An instance the lab does not know makes the returned future fail with a
 * {@link java.util.NoSuchElementException} (the API answers 404); an {@link IllegalArgumentException} or
 * {@link IllegalStateException} becomes 400 or 409 with its message.
 */
public interface LabControls {

  /** Stops the web server of an instance; the instance keeps running, so only a load balancer health check notices. */
  Future<Void> stopWebServer(String instanceId);

  /** Starts a stopped web server of an instance again. */
  Future<Void> startWebServer(String instanceId);
}
