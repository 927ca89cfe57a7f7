/** Loadstar's OpenTelemetry binding: a client span per attempt and a server span per gateway request. */
module dev.loadstar.opentelemetry {
  requires transitive dev.loadstar.core;
  requires transitive dev.loadstar.routing;
  requires transitive io.opentelemetry.api;
  requires transitive io.opentelemetry.context;

  exports dev.loadstar.opentelemetry;
}
