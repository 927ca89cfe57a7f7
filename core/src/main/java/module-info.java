/**
 * Loadstar core: targets, target groups, health state, balancing algorithms, stickiness, the attempt engine, the
 * load-balanced client, discovery and the Vert.x endpoint adapter. Exports only its API and SPI packages.
 */
module dev.loadstar.core {
  requires transitive io.vertx.core;
  requires transitive io.vertx.web.client;
  requires io.netty.common;
  requires io.netty.transport;
  requires io.netty.codec;
  requires io.netty.codec.http;
  requires io.netty.handler;
  requires io.netty.resolver.dns;
  requires com.fasterxml.jackson.core;
  requires static org.yaml.snakeyaml;

  exports dev.loadstar.core;
  exports dev.loadstar.core.config;
  exports dev.loadstar.core.discovery;
  exports dev.loadstar.core.spi;
  exports dev.loadstar.core.time;
  exports dev.loadstar.core.vertx;

  uses dev.loadstar.core.spi.BalancingAlgorithmProvider;
  uses dev.loadstar.core.spi.TargetSourceProvider;
}
