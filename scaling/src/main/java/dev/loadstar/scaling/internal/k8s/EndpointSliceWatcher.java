package dev.loadstar.scaling.internal.k8s;

import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Follows the EndpointSlices ({@code discovery.k8s.io/v1}) of one Service by watch and reports its endpoints as a
 * whole after every change: the part of Kubernetes integration shared by the scaling provider and a discovery
 * source.
 *
 * <p>Two ways to run it: {@link #start()} blocks until the initial list has arrived (call it off the event loop) and
 * leaves failures to the informer's defaults; {@link #startAsync} returns at once, reports every list or watch
 * failure and keeps retrying (the informer's backoff) until closed, for callers that must tell "down" from "empty"
 * ({@link #isWatching()}, {@link #snapshot()}).
 *
 * <p>Threading: the callbacks run on the client's informer thread, one call at a time, with an immutable list.
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

  /**
   * The Service's endpoints as the informer's cache holds them now, with what is needed to explain an empty answer.
   *
   * @param endpoints every endpoint of every slice, merged by name (a routable copy wins), slices in name order
   * @param slices how many EndpointSlices the Service has (the EndpointSlice controller keeps an empty placeholder
   *     slice for a Service without endpoints, so zero usually means the Service does not exist)
   * @param endpointsWithoutPort endpoints left out because their slice has no port of the wanted name (or none at
   *     all)
   * @param ports the ports the slices declare: their names, or {@code unnamed <number>}
   */
  public record Snapshot(List<ServiceEndpoint> endpoints, int slices, int endpointsWithoutPort, Set<String> ports) {
  }

  /** The endpoints of one slice and what was left out. */
  private record SliceView(List<ServiceEndpoint> endpoints, int withoutPort, List<String> ports) {
  }

  private final KubernetesClient client;
  private final String namespace;
  private final String serviceName;
  private final String portName;
  private final Integer fixedPort;
  private final Consumer<List<ServiceEndpoint>> onChange;
  private final Map<String, List<ServiceEndpoint>> bySlice = new LinkedHashMap<>();
  private volatile List<ServiceEndpoint> current = List.of();
  private volatile SharedIndexInformer<EndpointSlice> informer;
  /** Called after every event of an informer started by {@link #startAsync}, changed or not. */
  private volatile Runnable onEvent;

  /**
   * A watcher of the slices of {@code serviceName} in {@code namespace}, taking the port named {@code portName}
   * (or each slice's first port when null).
   */
  public EndpointSliceWatcher(KubernetesClient client, String namespace, String serviceName, String portName,
      Consumer<List<ServiceEndpoint>> onChange) {
    this(client, namespace, serviceName, portName, null, onChange);
  }

  /**
   * A watcher of the slices of {@code serviceName} in {@code namespace}: with a {@code fixedPort}, every endpoint gets
   * that port and the slices' ports are not consulted; otherwise the port named {@code portName} (or each slice's
   * first port when null) is taken. At most one of the two may be set.
   */
  public EndpointSliceWatcher(KubernetesClient client, String namespace, String serviceName, String portName,
      Integer fixedPort, Consumer<List<ServiceEndpoint>> onChange) {
    this.client = Objects.requireNonNull(client, "client");
    this.namespace = Objects.requireNonNull(namespace, "namespace");
    this.serviceName = Objects.requireNonNull(serviceName, "serviceName");
    if (portName != null && fixedPort != null) {
      throw new IllegalArgumentException("portName and fixedPort are exclusive");
    }
    this.portName = portName;
    this.fixedPort = fixedPort;
    this.onChange = Objects.requireNonNull(onChange, "onChange");
  }

  /** Starts watching; returns once the initial list has been received and reported. Blocking. */
  public synchronized void start() {
    if (informer != null) {
      return;
    }
    informer = client.discovery().v1().endpointSlices().inNamespace(namespace)
        .withLabel(SERVICE_NAME_LABEL, serviceName)
        .inform(handler(), 0);
  }

  private ResourceEventHandler<EndpointSlice> handler() {
    return new ResourceEventHandler<EndpointSlice>() {
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
    };
  }

  /**
   * Starts watching without blocking. The returned stage completes once the initial list has been received (the
   * informer's cache, and so {@link #snapshot()}, is then complete; change callbacks for that list may still be in
   * flight). Every failed list or watch attempt, before or after the start, is passed to {@code onError} with
   * whether the informer had started, and is retried with the informer's backoff (the client's
   * {@code watchReconnectInterval}, doubling) until {@link #close()}. A watch connection that is lost and re-opened
   * by the client's watch manager is not an error of its own: {@link #isWatching()} reads false meanwhile.
   * {@code onEvent} runs after every add, update and delete, changed or not, after {@code onChange}.
   */
  public synchronized CompletionStage<Void> startAsync(Runnable onEvent, BiConsumer<Boolean, Throwable> onError) {
    Objects.requireNonNull(onEvent, "onEvent");
    Objects.requireNonNull(onError, "onError");
    if (informer != null) {
      throw new IllegalStateException("already started");
    }
    this.onEvent = onEvent;
    SharedIndexInformer<EndpointSlice> created = client.discovery().v1().endpointSlices().inNamespace(namespace)
        .withLabel(SERVICE_NAME_LABEL, serviceName).runnableInformer(0);
    created.addEventHandler(handler());
    created.exceptionHandler((started, error) -> {
      if (informer != created) {
        return false;
      }
      onError.accept(started, error);
      return true;
    });
    informer = created;
    return created.start();
  }

  /** Whether the watch is established now (false before the start, while reconnecting and after close). */
  public boolean isWatching() {
    SharedIndexInformer<EndpointSlice> i = informer;
    return i != null && i.isWatching();
  }

  /** The endpoints computed from the informer's cache now (empty, with zero slices, before the start). */
  public Snapshot snapshot() {
    SharedIndexInformer<EndpointSlice> i = informer;
    List<EndpointSlice> slices = i == null ? new ArrayList<>() : new ArrayList<>(i.getStore().list());
    slices.sort(Comparator.comparing(sl -> sl.getMetadata().getName()));
    List<List<ServiceEndpoint>> perSlice = new ArrayList<>(slices.size());
    int withoutPort = 0;
    Set<String> ports = new LinkedHashSet<>();
    for (EndpointSlice slice : slices) {
      SliceView view = view(slice);
      perSlice.add(view.endpoints());
      withoutPort += view.withoutPort();
      ports.addAll(view.ports());
    }
    return new Snapshot(merge(perSlice), slices.size(), withoutPort, Collections.unmodifiableSet(ports));
  }

  /** The endpoints as last reported. */
  public List<ServiceEndpoint> current() {
    return current;
  }

  private void update(EndpointSlice slice, boolean deleted) {
    List<ServiceEndpoint> report;
    boolean changed;
    synchronized (bySlice) {
      String key = slice.getMetadata().getName();
      if (deleted) {
        bySlice.remove(key);
      } else {
        bySlice.put(key, view(slice).endpoints());
      }
      report = merge(bySlice.values());
      changed = !report.equals(current);
      if (changed) {
        current = report;
      }
    }
    if (changed) {
      onChange.accept(report);
    }
    Runnable event = onEvent;
    if (event != null) {
      event.run();
    }
  }

  /** The endpoints of several slices, one per name; a routable endpoint wins over a non-routable one. */
  private static List<ServiceEndpoint> merge(Collection<List<ServiceEndpoint>> slices) {
    Map<String, ServiceEndpoint> merged = new LinkedHashMap<>();
    for (List<ServiceEndpoint> list : slices) {
      for (ServiceEndpoint e : list) {
        ServiceEndpoint prev = merged.get(e.name());
        if (prev == null || (!prev.routable() && e.routable())) {
          merged.put(e.name(), e);
        }
      }
    }
    return Collections.unmodifiableList(new ArrayList<>(merged.values()));
  }

  private SliceView view(EndpointSlice slice) {
    Integer port = fixedPort;
    List<String> ports = new ArrayList<>();
    if (slice.getPorts() != null) {
      for (EndpointPort p : slice.getPorts()) {
        if (p.getPort() == null) {
          continue;
        }
        ports.add(p.getName() == null || p.getName().isEmpty() ? "unnamed " + p.getPort() : p.getName());
        if (port == null && (portName == null || portName.equals(p.getName()))) {
          port = p.getPort();
        }
      }
    }
    List<ServiceEndpoint> out = new ArrayList<>();
    if (slice.getEndpoints() == null) {
      return new SliceView(out, 0, ports);
    }
    int withoutPort = 0;
    for (Endpoint e : slice.getEndpoints()) {
      if (e.getAddresses() == null || e.getAddresses().isEmpty()) {
        continue;
      }
      if (port == null) {
        withoutPort++;
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
    return new SliceView(out, withoutPort, ports);
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
