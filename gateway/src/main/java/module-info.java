/**
 * The Loadstar gateway as a library: the declarative configuration (YAML/JSON binding and validation), the runtime
 * that assembles listeners, groups, checkers and scaling groups from it, the admin API and dashboard, and metrics.
 */
module dev.loadstar.gateway {
  requires transitive dev.loadstar.core;
  requires transitive dev.loadstar.routing;
  requires transitive dev.loadstar.healthcheck;
  requires transitive dev.loadstar.scaling;
  requires transitive dev.loadstar.micrometer;
  requires transitive micrometer.registry.prometheus;
  requires io.vertx.web;
  requires com.fasterxml.jackson.core;
  requires com.fasterxml.jackson.dataformat.yaml;

  exports dev.loadstar.gateway;
  exports dev.loadstar.gateway.admin;
  exports dev.loadstar.gateway.config;
  exports dev.loadstar.gateway.metrics;
}
