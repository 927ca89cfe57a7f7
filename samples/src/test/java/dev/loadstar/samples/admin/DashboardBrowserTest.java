package dev.loadstar.samples.admin;

import dev.loadstar.gateway.admin.AdminServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.loadstar.samples.lab.LabAdminModel;
import dev.loadstar.samples.lab.LabClient;
import dev.loadstar.samples.lab.LabSettings;
import dev.loadstar.samples.lab.SeedLab;
import dev.loadstar.samples.lab.Timeline;
import dev.loadstar.scaling.HealthCheckType;
import io.vertx.core.Vertx;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in headless Chromium (Debian's {@code chromium} driven through Debian's {@code chromedriver}) while
 * the lab runs: two healthy targets, stop one instance's web server from the page (confirmation, then the token the
 * page asks for), the row turns unhealthy with its reason code, a replacement appears and turns healthy, all without
 * a reload; the unreachable banner appears while the admin server is down and goes when it is back. Saves
 * {@code target/dashboard.png}.
 *
 * <p>Skipped when the browser or driver is missing, unless {@code LOADSTAR_REQUIRE_BROWSER=1} (as {@code .ci/run}
 * sets after installing them), in which case it fails.
 */
@Timeout(180)
class DashboardBrowserTest {

  private static final Path CHROMIUM = Path.of(System.getProperty("loadstar.chromium", "/usr/bin/chromium"));
  private static final Path CHROMEDRIVER = Path.of(System.getProperty("loadstar.chromedriver", "/usr/bin/chromedriver"));
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String TOKEN = "dash-token-7";
  private static final String GROUP = "[data-target-group='MyWebTargetGroup'] ";

  private Vertx vertx;
  private SeedLab lab;
  private LabClient client;
  private AdminServer secondAdmin;
  private ChromeDriverService service;
  private WebDriver driver;

  @BeforeEach
  void setUp() {
    boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    if (!present) {
      String what = CHROMIUM + " and " + CHROMEDRIVER + " are needed for the dashboard's browser test"
          + " (apt-get install chromium chromium-driver; .ci/run installs them)";
      if ("1".equals(System.getenv("LOADSTAR_REQUIRE_BROWSER"))) {
        fail("LOADSTAR_REQUIRE_BROWSER=1 but the browser is missing: " + what);
      }
      assumeTrue(false, what);
    }
    vertx = Vertx.vertx();
    Timeline timeline = Timeline.printingTo(new PrintStream(System.out, true, StandardCharsets.UTF_8));
    lab = SeedLab.start(vertx, LabSettings.unattended(0), timeline,
        new SeedLab.AdminOptions("127.0.0.1", 0, TOKEN)).await();
    // a user refreshing the gateway's page all along: the dashboard shows requests/s and latency under load
    client = new LabClient(vertx, "127.0.0.1", lab.listener().actualPort(), 20, timeline);
    client.start();

    service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort()
        .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--window-size=1400,1000", "--disable-extensions", "--no-first-run", "--disable-background-networking");
    driver = new ChromeDriver(service, options);
  }

  @AfterEach
  void tearDown() {
    if (driver != null) {
      driver.quit();
    }
    if (service != null) {
      service.stop();
    }
    if (secondAdmin != null) {
      secondAdmin.close().await();
    }
    if (client != null) {
      client.close().await();
    }
    if (lab != null) {
      lab.close().await();
    }
    if (vertx != null) {
      vertx.close().await();
    }
  }

  private static boolean free(int port) throws IOException {
    try (ServerSocket s = new ServerSocket(port, 50, InetAddress.getByName("127.0.0.1"))) {
      return true;
    } catch (BindException e) {
      return false;
    }
  }

  private WebDriverWait waiting() {
    WebDriverWait w = new WebDriverWait(driver, WAIT, Duration.ofMillis(50));
    w.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
    return w;
  }

  private List<WebElement> rows(String state) {
    return driver.findElements(By.cssSelector(GROUP + "tr[data-target-id][data-state='" + state + "']"));
  }

  private Set<String> ids(List<WebElement> rows) {
    return rows.stream().map(r -> r.getAttribute("data-target-id")).collect(Collectors.toSet());
  }

  private WebElement row(String id) {
    return driver.findElement(By.cssSelector(GROUP + "tr[data-target-id='" + id + "']"));
  }

  /** Answers the page's token dialog (it opens when a read or a change answers 401). */
  private void enterToken() {
    waiting().until(d -> d.findElement(By.id("modal")).isDisplayed()
        && d.findElement(By.id("modal-title")).getText().equals("Admin token"));
    driver.findElement(By.id("modal-input")).sendKeys(TOKEN);
    driver.findElement(By.id("modal-ok")).click();
    waiting().until(d -> !d.findElement(By.id("modal")).isDisplayed());
  }

  @Test
  void stopWebFromThePageTurnsTheRowUnhealthyAndAReplacementAppearsWithoutReload() throws IOException {
    String url = lab.adminUrl();
    driver.get(url);
    JavascriptExecutor js = (JavascriptExecutor) driver;
    js.executeScript("window.__loadstarMarker = 42;");
    // a token is configured, so reads need it too: the page asks for it at once
    enterToken();
    assertThat(js.executeScript("return sessionStorage.getItem('loadstar.adminToken');")).isEqualTo(TOKEN);

    // two healthy targets, rows with their addresses; listeners and the scaling group are shown
    waiting().until(d -> rows("healthy").size() == 2);
    Set<String> first = ids(rows("healthy"));
    assertThat(first).containsExactlyInAnyOrderElementsOf(lab.inServiceAndHealthy());
    assertThat(driver.findElement(By.cssSelector("[data-listener='MyWebALB']")).getText())
        .contains("forward → MyWebTargetGroup");
    assertThat(driver.findElement(By.cssSelector("[data-scaling-group='MyASG'] .c-desired")).getText()).isEqualTo("2");
    // requests/s and p99 latency appear while the client sends requests
    waiting().until(d -> first.stream().allMatch(id -> {
      String rps = row(id).findElement(By.cssSelector(".c-rps")).getText();
      String p99 = row(id).findElement(By.cssSelector(".c-p99")).getText();
      return !rps.equals("–") && Double.parseDouble(rps) > 0 && p99.endsWith(" ms");
    }));
    assertThat(driver.findElement(By.id("banner")).isDisplayed()).isFalse();

    // stop one instance's web server: confirm (the token kept for the tab goes with the change)
    String broken = first.iterator().next();
    row(broken).findElement(By.cssSelector("button.stop-web")).click();
    waiting().until(d -> d.findElement(By.id("modal")).isDisplayed());
    assertThat(driver.findElement(By.id("modal-title")).getText()).isEqualTo("Stop web server");
    assertThat(driver.findElement(By.id("modal-message")).getText()).contains(broken);
    driver.findElement(By.id("modal-ok")).click();
    waiting().until(d -> lab.webServerStopped(broken));

    // the row turns unhealthy with ALB's reason code, and the transition is on the timeline
    waiting().until(d -> row(broken).getAttribute("data-state").equals("unhealthy"));
    assertThat(row(broken).findElement(By.cssSelector(".c-reason")).getText()).startsWith("Target.");
    assertThat(row(broken).findElement(By.cssSelector(".state")).getText()).isEqualTo("unhealthy");
    waiting().until(d -> d.findElements(By.cssSelector("#transitions li[data-target-id='" + broken + "']")).stream()
        .anyMatch(li -> li.getText().contains("healthy → unhealthy")));

    // the seed's next step (health-type elb): the scaling group replaces the instance; a new row turns healthy
    driver.findElement(By.cssSelector("[data-scaling-group='MyASG'] button.switch-health-check-type")).click();
    waiting().until(d -> d.findElement(By.id("modal")).isDisplayed()
        && d.findElement(By.id("modal-title")).getText().equals("Health check type"));
    assertThat(driver.findElement(By.id("modal-message")).getText()).contains("from EC2 to ELB");
    driver.findElement(By.id("modal-ok")).click();
    waiting().until(d -> lab.scalingGroup().healthCheckType() == HealthCheckType.LOAD_BALANCER);
    waiting().until(d -> d.findElement(By.cssSelector("[data-scaling-group='MyASG'] .card-head .muted")).getText()
        .contains("health check type ELB"));
    waiting().until(d -> {
      Set<String> healthy = ids(rows("healthy"));
      return healthy.size() == 2 && !healthy.contains(broken) && !first.containsAll(healthy);
    });
    String replacement = ids(rows("healthy")).stream().filter(id -> !first.contains(id)).findFirst().orElseThrow();
    assertThat(lab.inServiceAndHealthy()).contains(replacement);
    waiting().until(d -> d.findElements(By.cssSelector("[data-scaling-group='MyASG'] .activities li")).stream()
        .anyMatch(li -> li.getText().startsWith("Successful")
            && li.getText().contains("in response to an ELB health check failure")));
    waiting().until(d -> d.findElements(By.cssSelector(GROUP + ".legend span")).size() >= 2);

    // set the desired capacity from the page (confirmation dialog; the token is kept for the tab): a third target
    driver.findElement(By.cssSelector("[data-scaling-group='MyASG'] button.set-desired")).click();
    waiting().until(d -> d.findElement(By.id("modal")).isDisplayed()
        && d.findElement(By.id("modal-title")).getText().equals("Set desired capacity"));
    WebElement desired = driver.findElement(By.id("modal-input"));
    desired.clear();
    desired.sendKeys("3");
    driver.findElement(By.id("modal-ok")).click();
    waiting().until(d -> d.findElement(By.cssSelector("[data-scaling-group='MyASG'] .c-desired")).getText()
        .equals("3"));
    assertThat(lab.scalingGroup().desiredCapacity()).isEqualTo(3);
    waiting().until(d -> rows("healthy").size() == 3);

    // the whole page in the screenshot
    long height = (Long) js.executeScript("return document.documentElement.scrollHeight;");
    driver.manage().window().setSize(new Dimension(1400, (int) Math.min(3000, Math.max(1000, height + 140))));
    Path png = Path.of("target", "dashboard.png");
    Files.createDirectories(png.getParent());
    File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
    Files.copy(shot.toPath(), png, StandardCopyOption.REPLACE_EXISTING);
    assertThat(Files.size(png)).isGreaterThan(10_000);

    // never reloaded: the marker set on the first load is still there
    assertThat(js.executeScript("return window.__loadstarMarker;")).isEqualTo(42L);
  }

  @Test
  void bannerShowsWhileTheAdminServerIsUnreachableAndGoesWhenItIsBack() {
    int port = lab.admin().actualPort();
    driver.get(lab.adminUrl());
    ((JavascriptExecutor) driver).executeScript("window.__loadstarMarker = 7;");
    enterToken();
    waiting().until(d -> rows("healthy").size() == 2);
    assertThat(driver.findElement(By.id("banner")).isDisplayed()).isFalse();

    lab.admin().close().await();
    waiting().until(d -> d.findElement(By.id("banner")).isDisplayed());
    assertThat(driver.findElement(By.id("banner")).getText()).isEqualTo("Admin server unreachable — retrying");

    // the same lab's API again on the same port: the page recovers by itself (Vert.x completes the close before the
    // listening socket is released, a few milliseconds later on a busy machine: the port is bound once it is free)
    await().atMost(WAIT).until(() -> free(port));
    secondAdmin = AdminServer.builder(vertx, new LabAdminModel(lab)).port(port).build();
    secondAdmin.start().await();
    waiting().until(d -> !d.findElement(By.id("banner")).isDisplayed());
    waiting().until(d -> rows("healthy").size() == 2);
    assertThat(((JavascriptExecutor) driver).executeScript("return window.__loadstarMarker;")).isEqualTo(7L);
  }
}
