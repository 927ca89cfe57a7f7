package dev.loadstar.scaling.internal.k8s;

import dev.loadstar.core.Target;
import dev.loadstar.core.discovery.TargetSource;
import dev.loadstar.core.discovery.TargetSourceContext;
import dev.loadstar.core.config.Checks;
import dev.loadstar.core.time.Backoff;
import dev.loadstar.core.time.TimeSource;
import dev.loadstar.core.config.Params;
import dev.loadstar.scaling.discovery.KubernetesSourceOptions;
import dev.loadstar.scaling.internal.k8s.EndpointSliceWatcher.ServiceEndpoint;
import dev.loadstar.scaling.internal.k8s.EndpointSliceWatcher.Snapshot;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;

/**
 * The {@code kubernetes} source: follows one Service's EndpointSlices with an {@link EndpointSliceWatcher} (a
 * fabric8 informer) and reports its ready, not terminating endpoints after every change.
 *
 * <p>Failures: a failed list or watch (API server down, RBAC refusal) is reported with
 * {@link TargetSourceContext#fail} while the informer retries with its backoff; a watch connection that stays down
 * for two consecutive checks ({@value #WATCH_CHECK_MS} ms apart) is reported likewise; once the watch is up again
 * the cache's state is reported as a fresh answer. A Service without any EndpointSlice (the controller keeps an
 * empty placeholder slice for an existing Service with zero endpoints, so none means no such Service) and slices
 * without the wanted port are failures; slices without ready endpoints are an explicit empty answer. Building the
 * client (reading a kubeconfig) is retried with exponential backoff ({@value #RETRY_INITIAL_MS} ms up to
 * {@value #RETRY_MAX_MS} ms). Every fabric8 call that may block runs through {@code executeBlocking}.
 */
public final class EndpointSliceTargetSource implements TargetSource {

  /** The type name. */
  public static final String TYPE = "kubernetes";
  /** How often the watch connection is checked, in milliseconds. */
  static final long WATCH_CHECK_MS = 1000;
  /** First retry delay after the client could not be built, in milliseconds. */
  static final long RETRY_INITIAL_MS = 1000;
  /** Longest retry delay after the client could not be built, in milliseconds. */
  static final long RETRY_MAX_MS = 30_000;

  private static final Pattern DNS_1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern DNS_1035_LABEL = Pattern.compile("[a-z]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final String DNS_1123_EXPECTED =
      "a DNS-1123 label: at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit";
  private static final String DNS_1035_EXPECTED = "a Service name: at most 63 lower-case letters, digits and '-', "
      + "starting with a letter and ending with a letter or digit";

  private final KubernetesSourceOptions options;
  private final KubernetesClient client;

  /** A source with a validated copy of the options, using {@code client} ({@code null}: one built per start). */
  public EndpointSliceTargetSource(KubernetesSourceOptions options, KubernetesClient client) {
    Checks.notNull("options", options);
    this.options = new KubernetesSourceOptions(options);
    this.client = client;
    validate(this.options, client);
  }

  private static void validate(KubernetesSourceOptions o, KubernetesClient client) {
    if (o.getService() == null) {
      throw Checks.invalid("service", "null", DNS_1035_EXPECTED);
    }
    if (!DNS_1035_LABEL.matcher(o.getService()).matches()) {
      throw Checks.invalid("service", Params.render(o.getService()), DNS_1035_EXPECTED);
    }
    if (o.getNamespace() != null && !DNS_1123_LABEL.matcher(o.getNamespace()).matches()) {
      throw Checks.invalid("namespace", Params.render(o.getNamespace()), DNS_1123_EXPECTED);
    }
    if (o.getPortName() != null) {
      if (o.getPort() != null) {
        throw Checks.invalid("port", o.getPort(), "either a port name or a port number, not both (portName "
            + Params.render(o.getPortName()) + ")");
      }
      if (!DNS_1123_LABEL.matcher(o.getPortName()).matches()) {
        throw Checks.invalid("port", Params.render(o.getPortName()),
            "a port number 1-65535 or a port name, " + DNS_1123_EXPECTED);
      }
    }
    if (o.getPort() != null) {
      Checks.range("port", o.getPort(), 1, 65535);
    }
    if (o.getKubeconfig() != null) {
      Checks.notBlank("kubeconfig", o.getKubeconfig());
    }
    if (o.getContext() != null) {
      Checks.notBlank("context", o.getContext());
    }
    if (client != null && (o.getKubeconfig() != null || o.getContext() != null)) {
      String name = o.getKubeconfig() != null ? "kubeconfig" : "context";
      throw Checks.invalid(name, Params.render(o.getKubeconfig() != null ? o.getKubeconfig() : o.getContext()),
          "no " + name + " with a client given to the source");
    }
  }

  /** A copy of the options. */
  public KubernetesSourceOptions options() {
    return new KubernetesSourceOptions(options);
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Subscription start(TargetSourceContext context) {
    Run run = new Run(context);
    run.setup();
    return run::close;
  }

  @Override
  public String toString() {
    return "EndpointSlices of Service " + (options.getNamespace() != null ? options.getNamespace() + "/" : "")
        + options.getService() + port()
        + (client != null ? "" : options.getKubeconfig() != null ? " via " + options.getKubeconfig() : "");
  }

  private String port() {
    return options.getPortName() != null ? " port " + options.getPortName()
        : options.getPort() != null ? " port " + options.getPort() : "";
  }

  /** A client from the options: a kubeconfig file, or fabric8's auto-configuration. Blocking. */
  private KubernetesClient buildClient() {
    Config config = options.getKubeconfig() != null
        ? Config.fromKubeconfig(options.getContext(), new File(options.getKubeconfig()))
        : Config.autoConfigure(options.getContext());
    // The informer retries lists and watches with its own backoff; retrying each request as well would only delay
    // the first report of an unreachable API server by minutes.
    config.setRequestRetryBackoffLimit(0);
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  /** What a successful setup produced. */
  private record Setup(String namespace, CompletionStage<Void> started) {
  }

  /** The source running for one group. State is confined to the group's discovery context unless noted. */
  private final class Run {
    private final TargetSourceContext context;
    private final Vertx vertx;
    private final TimeSource time;
    private final Context vertxContext;
    private final Backoff backoff = new Backoff(Duration.ofMillis(RETRY_INITIAL_MS), Duration.ofMillis(RETRY_MAX_MS));
    /** Set by close, from any thread. */
    private volatile boolean closed;
    // Guarded by this: what close releases.
    private KubernetesClient runClient;
    private boolean ownsClient;
    private EndpointSliceWatcher watcher;
    // Context-confined.
    private String namespace;
    private long retryTimer = -1;
    private long checkTimer = -1;
    private int setupFailures;
    private boolean started;
    private boolean down;
    private int downChecks;
    private boolean lastWasFailure = true;
    private List<Target> lastReported;

    Run(TargetSourceContext context) {
      this.context = context;
      this.vertx = context.vertx();
      this.time = context.time();
      this.vertxContext = vertx.getOrCreateContext();
    }

    void setup() {
      retryTimer = -1;
      if (closed) {
        return;
      }
      vertx.executeBlocking(this::create, false).onComplete(ar -> {
        if (closed) {
          return;
        }
        if (ar.failed()) {
          setupFailures++;
          Duration retry = backoff.delay(setupFailures);
          report(new KubernetesSourceException(describe(null) + ": " + message(ar.cause()), ar.cause()), retry);
          retryTimer = time.setTimer(retry.toMillis(), this::setup);
          return;
        }
        Setup setup = ar.result();
        if (setup == null) {
          return; // closed meanwhile, already released
        }
        namespace = setup.namespace();
        setupFailures = 0;
        setup.started().whenComplete((v, error) -> vertxContext.runOnContext(x -> onStarted(error)));
        scheduleCheck();
      });
    }

    /** Builds the client and starts the watcher. Blocking; runs on a worker. */
    private Setup create() {
      KubernetesClient c = client != null ? client : buildClient();
      boolean owns = client == null;
      EndpointSliceWatcher w = null;
      try {
        String ns = options.getNamespace() != null ? options.getNamespace()
            : c.getNamespace() != null ? c.getNamespace() : "default";
        w = new EndpointSliceWatcher(c, ns, options.getService(), options.getPortName(), options.getPort(),
            endpoints -> { });
        synchronized (this) {
          if (!closed) {
            CompletionStage<Void> started = w.startAsync(this::onEvent, this::onError);
            runClient = c;
            ownsClient = owns;
            watcher = w;
            return new Setup(ns, started);
          }
        }
      } catch (RuntimeException e) {
        release(w, c, owns);
        throw e;
      }
      release(w, c, owns);
      return null;
    }

    /** From the informer thread: a slice was added, updated or deleted. */
    private void onEvent() {
      vertxContext.runOnContext(v -> {
        if (started && !closed) {
          answer();
        }
      });
    }

    /** From the informer thread: a list or watch attempt failed; the informer retries. */
    private void onError(boolean wasStarted, Throwable error) {
      vertxContext.runOnContext(v -> {
        if (closed) {
          return;
        }
        down = true;
        report(new KubernetesSourceException(describe(namespace) + ": " + message(error), error), null);
      });
    }

    private void onStarted(Throwable error) {
      if (closed || error != null) {
        return; // an informer stops with an error only once it is closed
      }
      started = true;
      down = false;
      downChecks = 0;
      answer();
    }

    private void scheduleCheck() {
      if (!closed) {
        checkTimer = time.setTimer(WATCH_CHECK_MS, () -> {
          checkTimer = -1;
          check();
          scheduleCheck();
        });
      }
    }

    /** Every check interval: a watch that stays down is a failure; a watch up again after one is a fresh answer. */
    private void check() {
      EndpointSliceWatcher w = watcher();
      if (closed || !started || w == null) {
        return;
      }
      if (w.isWatching()) {
        downChecks = 0;
        if (down) {
          down = false;
          answer();
        }
      } else if (++downChecks == 2 && !down) {
        down = true;
        report(new KubernetesSourceException(describe(namespace)
            + ": the watch is down, reconnecting (last known targets kept)", null), null);
      }
    }

    /** Reports the cache's current state: targets, or a failure when the Service or the port cannot be found. */
    private void answer() {
      EndpointSliceWatcher w = watcher();
      if (w == null) {
        return;
      }
      Snapshot s = w.snapshot();
      if (s.slices() == 0) {
        report(new KubernetesSourceException(describe(namespace) + ": no EndpointSlice labelled "
            + EndpointSliceWatcher.SERVICE_NAME_LABEL + "=" + options.getService() + " in namespace " + namespace
            + " (no such Service, or one without a selector and without slices of its own)", null), null);
        return;
      }
      if (s.endpoints().isEmpty() && s.endpointsWithoutPort() > 0) {
        String wanted = options.getPortName() != null ? "no port named " + Params.render(options.getPortName())
            : "no port";
        report(new KubernetesSourceException(describe(namespace) + ": " + wanted + " in the Service's EndpointSlices"
            + " (ports: " + (s.ports().isEmpty() ? "none" : String.join(", ", s.ports())) + ")", null), null);
        return;
      }
      List<Target> targets = new ArrayList<>();
      for (ServiceEndpoint e : s.endpoints()) {
        if (!e.routable()) {
          continue;
        }
        Target t = target(e);
        if (t != null) {
          targets.add(t);
        }
      }
      List<Target> answer = List.copyOf(targets);
      if (!lastWasFailure && answer.equals(lastReported)) {
        return;
      }
      lastWasFailure = false;
      lastReported = answer;
      context.update(answer);
    }

    private Target target(ServiceEndpoint e) {
      try {
        Target.Builder b = Target.builder(e.name(), e.address(), e.port())
            .zone(e.zone() == null || e.zone().isBlank() ? null : e.zone())
            .metadata("namespace", namespace)
            .metadata("service", options.getService());
        if (e.nodeName() != null) {
          b.metadata("node", e.nodeName());
        }
        return b.build();
      } catch (IllegalArgumentException | NullPointerException ex) {
        return null; // not a usable endpoint (the API server validates slices, so this is not expected)
      }
    }

    private void report(Throwable failure, Duration retryIn) {
      lastWasFailure = true;
      context.fail(failure, retryIn);
    }

    private synchronized EndpointSliceWatcher watcher() {
      return watcher;
    }

    Future<Void> close() {
      EndpointSliceWatcher w;
      KubernetesClient c;
      boolean owns;
      synchronized (this) {
        if (closed) {
          return Future.succeededFuture();
        }
        closed = true;
        w = watcher;
        c = runClient;
        owns = ownsClient;
        watcher = null;
        runClient = null;
      }
      vertxContext.runOnContext(v -> {
        if (retryTimer >= 0) {
          time.cancelTimer(retryTimer);
          retryTimer = -1;
        }
        if (checkTimer >= 0) {
          time.cancelTimer(checkTimer);
          checkTimer = -1;
        }
      });
      if (w == null && c == null) {
        return Future.succeededFuture();
      }
      return vertx.executeBlocking(() -> {
        release(w, c, owns);
        return null;
      }, false);
    }

    private String describe(String ns) {
      return "EndpointSlices of Service " + (ns != null ? ns + "/" : "") + options.getService() + port();
    }
  }

  private static void release(EndpointSliceWatcher w, KubernetesClient c, boolean owns) {
    try {
      if (w != null) {
        w.close();
      }
    } finally {
      if (owns && c != null) {
        c.close();
      }
    }
  }

  /** An error's message, with its root cause's when that says more (e.g. "Connection refused"). */
  static String message(Throwable t) {
    String m = t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (root != t) {
      String r = root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
      if (!m.contains(r)) {
        m = m + " (" + r + ")";
      }
    }
    return m;
  }

  /** A failure of the kubernetes source, described with the Service and namespace. */
  static final class KubernetesSourceException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    KubernetesSourceException(String message, Throwable cause) {
      super(message, cause, false, false);
    }
  }
}
