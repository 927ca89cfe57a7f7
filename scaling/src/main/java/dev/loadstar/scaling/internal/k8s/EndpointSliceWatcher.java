package dev.loadstar.scaling.internal.k8s;

import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Follows the EndpointSlices ({@code discovery.k8s.io/v1}) of one Service by watch and reports its endpoints as a
 * whole after every change: the part of Kubernetes integration shared by the scaling provider and a discovery
 * source.
 *
 * <p>Threading: {@link #start()} blocks until the initial list has arrived (call it off the event loop); the
 * callback runs on the client's informer thread, one call at a time, with an immutable list.
 */
public final class EndpointSliceWatcher implements AutoCloseable {

  /** The label EndpointSlices carry to name their Service. */
  public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

  /**
   * One endpoint of the Service.
   *
   * @param name the target object's name (the pod name), or the address when there is no target reference
   * @param address the first address of the endpoint
   * @param port the port selected by name (or the slice's first port)
   * @param zone the zone, or {@code null}
   * @param nodeName the node, or {@code null}
   * @param ready the {@code ready} condition (unset counts as ready, as the API says)
   * @param terminating the {@code terminating} condition
   */
  public record ServiceEndpoint(String name, String address, int port, String zone, String nodeName, boolean ready,
      boolean terminating) {

    /** Whether the endpoint should receive traffic: ready and not terminating. */
    public boolean routable() {
      return ready && !terminating;
    }
  }

  private final KubernetesClient client;
  private final String namespace;
  private final String serviceName;
  private final String portName;
  private final Consumer<List<ServiceEndpoint>> onChange;
  private final Map<String, List<ServiceEndpoint>> bySlice = new LinkedHashMap<>();
  private volatile List<ServiceEndpoint> current = List.of();
  private SharedIndexInformer<EndpointSlice> informer;

  /**
   * A watcher of the slices of {@code serviceName} in {@code namespace}, taking the port named {@code portName}
   * (or each slice's first port when null).
   */
  public EndpointSliceWatcher(KubernetesClient client, String namespace, String serviceName, String portName,
      Consumer<List<ServiceEndpoint>> onChange) {
    this.client = Objects.requireNonNull(client, "client");
    this.namespace = Objects.requireNonNull(namespace, "namespace");
    this.serviceName = Objects.requireNonNull(serviceName, "serviceName");
    this.portName = portName;
    this.onChange = Objects.requireNonNull(onChange, "onChange");
  }

  /** Starts watching; returns once the initial list has been received and reported. Blocking. */
  public synchronized void start() {
    if (informer != null) {
      return;
    }
    informer = client.discovery().v1().endpointSlices().inNamespace(namespace)
        .withLabel(SERVICE_NAME_LABEL, serviceName)
        .inform(new ResourceEventHandler<EndpointSlice>() {
          @Override
          public void onAdd(EndpointSlice slice) {
            update(slice, false);
          }

          @Override
          public void onUpdate(EndpointSlice oldSlice, EndpointSlice newSlice) {
            update(newSlice, false);
          }

          @Override
          public void onDelete(EndpointSlice slice, boolean finalStateUnknown) {
            update(slice, true);
          }
        }, 0);
  }

  /** The endpoints as last reported. */
  public List<ServiceEndpoint> current() {
    return current;
  }

  private void update(EndpointSlice slice, boolean deleted) {
    List<ServiceEndpoint> report;
    synchronized (bySlice) {
      String key = slice.getMetadata().getName();
      if (deleted) {
        bySlice.remove(key);
      } else {
        bySlice.put(key, endpointsOf(slice));
      }
      Map<String, ServiceEndpoint> merged = new LinkedHashMap<>();
      for (List<ServiceEndpoint> list : bySlice.values()) {
        for (ServiceEndpoint e : list) {
          ServiceEndpoint prev = merged.get(e.name());
          if (prev == null || (!prev.routable() && e.routable())) {
            merged.put(e.name(), e);
          }
        }
      }
      report = Collections.unmodifiableList(new ArrayList<>(merged.values()));
      if (report.equals(current)) {
        return;
      }
      current = report;
    }
    onChange.accept(report);
  }

  private List<ServiceEndpoint> endpointsOf(EndpointSlice slice) {
    Integer port = null;
    if (slice.getPorts() != null) {
      for (EndpointPort p : slice.getPorts()) {
        if (p.getPort() != null && (portName == null || portName.equals(p.getName()))) {
          port = p.getPort();
          break;
        }
      }
    }
    List<ServiceEndpoint> out = new ArrayList<>();
    if (port == null || slice.getEndpoints() == null) {
      return out;
    }
    for (Endpoint e : slice.getEndpoints()) {
      if (e.getAddresses() == null || e.getAddresses().isEmpty()) {
        continue;
      }
      String address = e.getAddresses().get(0);
      String name = e.getTargetRef() != null && e.getTargetRef().getName() != null ? e.getTargetRef().getName()
          : address;
      boolean ready = e.getConditions() == null || e.getConditions().getReady() == null
          || e.getConditions().getReady();
      boolean terminating = e.getConditions() != null && Boolean.TRUE.equals(e.getConditions().getTerminating());
      out.add(new ServiceEndpoint(name, address, port, e.getZone(), e.getNodeName(), ready, terminating));
    }
    return out;
  }

  /** Stops watching; idempotent. */
  @Override
  public synchronized void close() {
    if (informer != null) {
      informer.close();
      informer = null;
    }
  }
}
