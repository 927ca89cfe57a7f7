/** Loadstar health checking: active checks and passive outlier detection driving core's target health. */
module dev.loadstar.healthcheck {
  requires transitive dev.loadstar.core;
  requires io.github.resilience4j.circuitbreaker;
  requires io.github.resilience4j.core;

  exports dev.loadstar.healthcheck;
}
