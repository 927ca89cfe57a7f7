package dev.loadstar.scaling.discovery;

import dev.loadstar.core.config.Checks;
import dev.loadstar.core.config.Params;
import io.vertx.core.json.JsonObject;

/**
 * Options of the {@code kubernetes} target source, Vert.x style: fluent setters, a copy constructor and a
 * {@link JsonObject} form. {@link KubernetesTargetSource#create} validates them.
 *
 * <p>The source follows the EndpointSlices ({@code discovery.k8s.io/v1}) of one Service by watch and reports its
 * ready, not terminating endpoints as targets: id the pod name (the endpoint's {@code targetRef}, else its address),
 * host the endpoint's first address, port chosen by {@link #setPortName name} or {@link #setPort number}, zone the
 * endpoint's {@code zone}.
 *
 * <p>JSON keys: {@code service}, {@code namespace}, {@code port} (a port name, or a number), {@code kubeconfig},
 * {@code context}.
 */
public class KubernetesSourceOptions {

  private String service;
  private String namespace;
  private String portName;
  private Integer port;
  private String kubeconfig;
  private String context;

  /** Options with the defaults (a Service name must still be set). */
  public KubernetesSourceOptions() {
  }

  /** A copy of other options. */
  public KubernetesSourceOptions(KubernetesSourceOptions other) {
    this.service = other.service;
    this.namespace = other.namespace;
    this.portName = other.portName;
    this.port = other.port;
    this.kubeconfig = other.kubeconfig;
    this.context = other.context;
  }

  /**
   * Options from JSON: {@code service}, {@code namespace}, {@code kubeconfig} and {@code context} are strings,
   * {@code port} is a port name (a string) or a port number. Fails on a wrongly typed value or an unknown key.
   */
  public KubernetesSourceOptions(JsonObject json) {
    Params p = new Params(json);
    service = p.string("service");
    namespace = p.string("namespace");
    Object portValue = p.raw("port");
    if (portValue instanceof String s) {
      portName = s;
    } else if (portValue != null) {
      port = portNumber(portValue);
    }
    kubeconfig = p.string("kubeconfig");
    context = p.string("context");
    p.rejectUnknown();
  }

  private static Integer portNumber(Object value) {
    if (value instanceof Number n) {
      double d = n.doubleValue();
      if (d == Math.rint(d) && d >= Integer.MIN_VALUE && d <= Integer.MAX_VALUE) {
        return n.intValue();
      }
    }
    throw Checks.invalid("port", Params.render(value), "a port name or a port number");
  }

  /** The JSON form (the keys the JSON constructor reads). */
  public JsonObject toJson() {
    JsonObject j = new JsonObject();
    if (service != null) {
      j.put("service", service);
    }
    if (namespace != null) {
      j.put("namespace", namespace);
    }
    if (portName != null) {
      j.put("port", portName);
    } else if (port != null) {
      j.put("port", port);
    }
    if (kubeconfig != null) {
      j.put("kubeconfig", kubeconfig);
    }
    if (context != null) {
      j.put("context", context);
    }
    return j;
  }

  /** The Service whose EndpointSlices are followed. */
  public String getService() {
    return service;
  }

  /** Sets the Service name (required; the slices carry the label {@code kubernetes.io/service-name=<service>}). */
  public KubernetesSourceOptions setService(String service) {
    this.service = service;
    return this;
  }

  /** The namespace, or {@code null} for the client's namespace (else {@code default}). */
  public String getNamespace() {
    return namespace;
  }

  /** Sets the namespace ({@code null}: the client's, e.g. the pod's own namespace in a cluster; else default). */
  public KubernetesSourceOptions setNamespace(String namespace) {
    this.namespace = namespace;
    return this;
  }

  /** The name of the port to use, or {@code null}. */
  public String getPortName() {
    return portName;
  }

  /**
   * Sets the port by name: the EndpointSlice port of that name (the Service port's name). Without a name or number,
   * each slice's first port is used. Exclusive with {@link #setPort}.
   */
  public KubernetesSourceOptions setPortName(String portName) {
    this.portName = portName;
    return this;
  }

  /** The port number given to every endpoint, or {@code null}. */
  public Integer getPort() {
    return port;
  }

  /**
   * Sets a port number (1-65535) given to every endpoint; the slices' ports are then not consulted (useful for a
   * port the Service does not declare, or a headless Service without ports). Exclusive with {@link #setPortName}.
   */
  public KubernetesSourceOptions setPort(Integer port) {
    this.port = port;
    return this;
  }

  /** The kubeconfig file, or {@code null} for the client's defaults. */
  public String getKubeconfig() {
    return kubeconfig;
  }

  /**
   * Sets the kubeconfig file to build the client from ({@code null}: fabric8's defaults, i.e. system properties and
   * environment variables, {@code KUBECONFIG} or {@code ~/.kube/config}, then the pod's service account).
   */
  public KubernetesSourceOptions setKubeconfig(String kubeconfig) {
    this.kubeconfig = kubeconfig;
    return this;
  }

  /** The kubeconfig context, or {@code null} for the current one. */
  public String getContext() {
    return context;
  }

  /** Sets the kubeconfig context to use ({@code null}: the file's current context). */
  public KubernetesSourceOptions setContext(String context) {
    this.context = context;
    return this;
  }

  @Override
  public String toString() {
    return "KubernetesSourceOptions" + toJson().encode();
  }
}
