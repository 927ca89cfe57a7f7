/** Loadstar routing: listener rules, conditions, actions, and the HTTP and TCP listeners. Exports only its API. */
module dev.loadstar.routing {
  requires transitive dev.loadstar.core;
  requires io.netty.codec.http;
  requires io.netty.handler;
  requires io.netty.common;
  requires java.naming;

  exports dev.loadstar.routing;
}
