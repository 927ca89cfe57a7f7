package dev.loadstar.scaling.providers;

import dev.loadstar.core.config.Checks;
import dev.loadstar.core.time.TimeSource;
import dev.loadstar.scaling.LaunchTemplate;
import dev.loadstar.scaling.internal.k8s.EndpointSliceWatcher;
import dev.loadstar.scaling.internal.k8s.EndpointSliceWatcher.ServiceEndpoint;
import dev.loadstar.scaling.spi.InstanceProvider;
import dev.loadstar.scaling.spi.ProviderInstance;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@code kubernetes} provider: instances are the pods of a Deployment, reached through the ready endpoints of
 * its Service's EndpointSlices ({@code discovery.k8s.io/v1}), followed by watch.
 *
 * <p>Launching raises the Deployment's {@code spec.replicas} to the number of instances the group holds plus the
 * launches in flight, and completes with the first ready endpoint no instance has claimed yet; the claimed pod is
 * annotated with {@code controller.kubernetes.io/pod-deletion-cost: "1000"} so that any lower replica count removes
 * unclaimed pods first. Terminating marks the
 * pod with {@code controller.kubernetes.io/pod-deletion-cost: "-2147483648"} (so the ReplicaSet removes that pod
 * first) and lowers {@code spec.replicas}, then completes when the pod's endpoint is gone. The group's first
 * {@code describe} adopts the Deployment's ready pods.
 *
 * <p>Launch template parameters: {@code deployment} (required), {@code namespace} (default: the client's
 * namespace), {@code service} (default: the deployment name), {@code portName} (default: the slice's first port),
 * {@code launchTimeoutMs} and {@code terminateTimeoutMs} (default 300000 each). Every fabric8 call runs through
 * {@code executeBlocking}.
 */
public final class KubernetesProvider implements InstanceProvider {

  /** The provider name. */
  public static final String NAME = "kubernetes";
  /** The pod annotation that orders ReplicaSet scale-down. */
  public static final String POD_DELETION_COST = "controller.kubernetes.io/pod-deletion-cost";
  /** The deletion cost given to pods the group holds, so that a lower replica count removes unclaimed pods first. */
  public static final int CLAIMED_DELETION_COST = 1000;

  private final Vertx vertx;
  private final KubernetesClient client;
  private final boolean ownsClient;
  private final TimeSource time;
  private final Map<String, Fleet> fleets = new ConcurrentHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();

  /** A provider with a client configured from the environment (kubeconfig, or the pod's service account). */
  public KubernetesProvider(Vertx vertx) {
    this(vertx, TimeSource.system(vertx));
  }

  /** A provider with a client configured from the environment, keeping timeouts and launch times on {@code time}. */
  public KubernetesProvider(Vertx vertx, TimeSource time) {
    this(vertx, new KubernetesClientBuilder().build(), true, time);
  }

  /** A provider using the given client (which the caller closes). */
  public KubernetesProvider(Vertx vertx, KubernetesClient client) {
    this(vertx, client, TimeSource.system(vertx));
  }

  /** A provider using the given client (which the caller closes), keeping timeouts and launch times on {@code time}. */
  public KubernetesProvider(Vertx vertx, KubernetesClient client, TimeSource time) {
    this(vertx, client, false, time);
  }

  private KubernetesProvider(Vertx vertx, KubernetesClient client, boolean ownsClient, TimeSource time) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.time = Objects.requireNonNull(time, "time");
    this.client = Objects.requireNonNull(client, "client");
    this.ownsClient = ownsClient;
  }

  @Override
  public String name() {
    return NAME;
  }

  /** The instances (pods) of one Deployment and what is waiting on its endpoints. Guarded by itself. */
  private final class Fleet {
    final String namespace;
    final String deployment;
    final String groupName;
    final long launchTimeoutMs;
    final long terminateTimeoutMs;
    final EndpointSliceWatcher watcher;
    final Map<String, ServiceEndpoint> routable = new LinkedHashMap<>();
    final Set<String> claimed = new LinkedHashSet<>();
    final Map<String, ProviderInstance> instances = new HashMap<>();
    final Deque<Promise<ProviderInstance>> waiters = new ArrayDeque<>();
    final Map<String, Promise<Void>> vanishing = new HashMap<>();
    /** Pods being terminated: never claimed again, even while their endpoint still serves. */
    final Set<String> retired = new LinkedHashSet<>();
    int launching;
    boolean adopted;
    /** Set once the watcher has received the initial list. */
    volatile boolean synced;
    final Object replicasLock = new Object();

    Fleet(String groupName, LaunchTemplate t) {
      this.groupName = groupName;
      this.deployment = t.parameter("deployment", null);
      String ns = t.parameter("namespace", client.getNamespace());
      this.namespace = ns != null ? ns : "default";
      this.launchTimeoutMs = millis(t, "launchTimeoutMs");
      this.terminateTimeoutMs = millis(t, "terminateTimeoutMs");
      this.watcher = new EndpointSliceWatcher(client, namespace, t.parameter("service", deployment),
          t.parameter("portName", null), this::onEndpoints);
    }

    void onEndpoints(List<ServiceEndpoint> endpoints) {
      List<Runnable> after = new ArrayList<>();
      synchronized (this) {
        routable.clear();
        Set<String> present = new HashSet<>();
        for (ServiceEndpoint e : endpoints) {
          present.add(e.name());
          if (e.routable()) {
            routable.put(e.name(), e);
          }
        }
        retired.retainAll(present);
        assignWaiters(after);
        for (var it = vanishing.entrySet().iterator(); it.hasNext();) {
          var entry = it.next();
          if (!routable.containsKey(entry.getKey())) {
            it.remove();
            Promise<Void> p = entry.getValue();
            after.add(p::tryComplete);
          }
        }
      }
      after.forEach(Runnable::run);
    }

    /** Hands unclaimed ready endpoints to waiting launches (under the lock; completions run after). */
    void assignWaiters(List<Runnable> after) {
      for (ServiceEndpoint e : routable.values()) {
        if (waiters.isEmpty()) {
          return;
        }
        if (claimed.contains(e.name()) || retired.contains(e.name())) {
          continue;
        }
        Promise<ProviderInstance> w = waiters.poll();
        launching--;
        ProviderInstance pi = claim(e);
        after.add(() -> w.tryComplete(pi));
      }
    }

    ProviderInstance claim(ServiceEndpoint e) {
      claimed.add(e.name());
      Map<String, String> meta = new LinkedHashMap<>();
      meta.put("provider", NAME);
      meta.put("namespace", namespace);
      meta.put("deployment", deployment);
      if (e.zone() != null) {
        meta.put("zone", e.zone());
      }
      if (e.nodeName() != null) {
        meta.put("node", e.nodeName());
      }
      ProviderInstance pi = new ProviderInstance(e.name(), e.address(), e.port(), ProviderInstance.State.RUNNING,
          Instant.ofEpochMilli(time.currentTimeMillis()), groupName, meta);
      instances.put(e.name(), pi);
      return pi;
    }

    /**
     * Sets spec.replicas to the claimed instances plus the launches in flight, with a JSON merge patch (no
     * resourceVersion, so concurrent writers of other fields do not conflict). Serialized per fleet. Blocking.
     */
    void applyReplicas() {
      synchronized (replicasLock) {
        int replicas;
        synchronized (this) {
          replicas = claimed.size() + launching;
        }
        Deployment d = client.apps().deployments().inNamespace(namespace).withName(deployment).get();
        if (d == null) {
          throw new IllegalStateException("deployment " + namespace + "/" + deployment + " not found");
        }
        Integer current = d.getSpec() != null ? d.getSpec().getReplicas() : null;
        if (current == null || current != replicas) {
          client.apps().deployments().inNamespace(namespace).withName(deployment)
              .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"replicas\":" + replicas + "}}");
        }
      }
    }
  }

  private Future<Fleet> fleet(String groupName, LaunchTemplate template) {
    if (closed.get()) {
      return Future.failedFuture(new IllegalStateException("the kubernetes provider is closed"));
    }
    String deployment = template.parameter("deployment", null);
    if (deployment == null || deployment.isBlank()) {
      return Future.failedFuture(Checks.invalid("deployment", deployment, "the name of a Deployment"));
    }
    String key = groupName + "/" + template.parameter("namespace", "") + "/" + deployment;
    Fleet existing = fleets.get(key);
    if (existing != null && existing.synced) {
      return Future.succeededFuture(existing);
    }
    return vertx.executeBlocking(() -> {
      Fleet f = fleets.computeIfAbsent(key, k -> new Fleet(groupName, template));
      f.watcher.start();
      f.synced = true;
      return f;
    }, false);
  }

  @Override
  public Future<ProviderInstance> launch(String groupName, LaunchTemplate template) {
    return fleet(groupName, template).compose(f -> {
      Promise<ProviderInstance> p = Promise.promise();
      List<Runnable> after = new ArrayList<>();
      synchronized (f) {
        f.launching++;
        f.waiters.add(p);
      }
      long timer = time.setTimer(Math.max(1, f.launchTimeoutMs), () -> {
        boolean removed;
        synchronized (f) {
          removed = f.waiters.remove(p);
          if (removed) {
            f.launching--;
          }
        }
        if (removed) {
          p.tryFail(new IllegalStateException("no new ready endpoint of deployment " + f.namespace + "/"
              + f.deployment + " within " + f.launchTimeoutMs + " ms"));
          vertx.executeBlocking(() -> {
            f.applyReplicas();
            return null;
          }, false);
        }
      });
      vertx.executeBlocking(() -> {
        f.applyReplicas();
        return null;
      }, false).onComplete(ar -> {
        if (ar.failed()) {
          boolean removed;
          synchronized (f) {
            removed = f.waiters.remove(p);
            if (removed) {
              f.launching--;
            }
          }
          if (removed) {
            p.tryFail(ar.cause());
          }
          return;
        }
        synchronized (f) {
          f.assignWaiters(after);
        }
        after.forEach(Runnable::run);
      });
      return p.future().andThen(ar -> time.cancelTimer(timer))
          .compose(pi -> vertx.executeBlocking(() -> {
            markDeletionCost(f, pi.id(), CLAIMED_DELETION_COST);
            return pi;
          }, false).recover(e -> Future.succeededFuture(pi)));
    });
  }

  /** Annotates a pod with a deletion cost; a pod that no longer exists is ignored. Blocking. */
  private void markDeletionCost(Fleet f, String podName, int cost) {
    Pod pod = client.pods().inNamespace(f.namespace).withName(podName).get();
    if (pod != null) {
      client.pods().inNamespace(f.namespace).withName(podName).patch(PatchContext.of(PatchType.JSON_MERGE),
          "{\"metadata\":{\"annotations\":{\"" + POD_DELETION_COST + "\":\"" + cost + "\"}}}");
    }
  }

  @Override
  public Future<Void> terminate(String instanceId) {
    Fleet fleet = null;
    for (Fleet f : fleets.values()) {
      synchronized (f) {
        if (f.claimed.contains(instanceId)) {
          fleet = f;
          break;
        }
      }
    }
    if (fleet == null) {
      return Future.succeededFuture();
    }
    Fleet f = fleet;
    Promise<Void> gone = Promise.promise();
    boolean present;
    synchronized (f) {
      f.claimed.remove(instanceId);
      f.instances.remove(instanceId);
      f.retired.add(instanceId);
      present = f.routable.containsKey(instanceId);
      if (present) {
        f.vanishing.put(instanceId, gone);
      }
    }
    if (!present) {
      gone.tryComplete();
    }
    return vertx.executeBlocking(() -> {
      markDeletionCost(f, instanceId, Integer.MIN_VALUE);
      f.applyReplicas();
      return null;
    }, false).compose(v -> {
      long timer = time.setTimer(Math.max(1, f.terminateTimeoutMs), () -> {
        synchronized (f) {
          f.vanishing.remove(instanceId);
        }
        gone.tryFail(new IllegalStateException("pod " + instanceId + " still serves after " + f.terminateTimeoutMs
            + " ms"));
      });
      return gone.future().andThen(ar -> time.cancelTimer(timer));
    });
  }

  @Override
  public Future<List<ProviderInstance>> describe(String groupName, LaunchTemplate template) {
    return fleet(groupName, template).map(f -> {
      List<ProviderInstance> out = new ArrayList<>();
      synchronized (f) {
        if (!f.adopted) {
          f.adopted = true;
          for (ServiceEndpoint e : f.routable.values()) {
            if (!f.claimed.contains(e.name()) && !f.retired.contains(e.name())) {
              f.claim(e);
            }
          }
        }
        for (String id : f.claimed) {
          ProviderInstance pi = f.instances.get(id);
          out.add(f.routable.containsKey(id) ? pi : pi.withState(ProviderInstance.State.TERMINATED));
        }
      }
      return out;
    });
  }

  @Override
  public Future<Void> close() {
    if (!closed.compareAndSet(false, true)) {
      return Future.succeededFuture();
    }
    return vertx.executeBlocking(() -> {
      for (Fleet f : fleets.values()) {
        f.watcher.close();
        List<Promise<ProviderInstance>> waiting;
        synchronized (f) {
          waiting = new ArrayList<>(f.waiters);
          f.waiters.clear();
        }
        waiting.forEach(p -> p.tryFail(new IllegalStateException("the kubernetes provider is closed")));
      }
      fleets.clear();
      if (ownsClient) {
        client.close();
      }
      return null;
    }, false);
  }

  private static long millis(LaunchTemplate t, String name) {
    String v = t.parameter(name, "300000");
    try {
      return Checks.range(name, Long.parseLong(v), 1, 86_400_000);
    } catch (NumberFormatException e) {
      throw Checks.invalid(name, v, "a number of milliseconds");
    }
  }
}
