package dev.loadstar.gateway.support;

/** Configurations several tests start. */
public final class Configs {

  /**
   * An HTTP and a TCP listener on free ports in front of one target group, a scaling group of two in-process
   * instances, and the admin API ({@code ADMIN_PORT}, default a free port).
   */
  public static final String TWO_LISTENERS_AND_A_SCALING_GROUP = """
      admin: {port: "${env:ADMIN_PORT:-0}"}
      listeners:
        - name: web
          host: 127.0.0.1
          port: ${env:WEB_PORT:-0}
          defaultActions: [{type: forward, targetGroupName: fleet}]
        - name: raw
          protocol: TCP
          host: 127.0.0.1
          port: 0
          defaultActions: [{type: forward, targetGroupName: fleet}]
      targetGroups:
        - name: fleet
          healthCheck: {intervalSeconds: 0.5, timeoutSeconds: 0.2, embedded: true}
      scalingGroups:
        - name: fleet-asg
          launchTemplate: {provider: in-process}
          minSize: 2
          maxSize: 2
          targetGroups: [fleet]
      """;

  private Configs() {
  }
}
