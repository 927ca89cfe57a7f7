/** Loadstar's Micrometer binding: ALB's CloudWatch-style metrics for target groups, for any application. */
module dev.loadstar.micrometer {
  requires transitive dev.loadstar.core;
  requires transitive micrometer.core;

  exports dev.loadstar.micrometer;
}
