package io.infermesh.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The gateway as people use it, in a real Chromium against the whole mesh: alice signs in at the identity provider,
 * uploads a digit and an iris record, watches both jobs succeed without reloading, reads the answer and the raw
 * result, deletes her input; bob, in another browser, sees none of it.
 *
 * <p>The screenshot of alice's page goes to {@code target/screenshots/gateway.png} on every run, and also to
 * {@code docs/images/gateway.png} (the README's picture) when the system property or environment variable
 * {@code INFERMESH_SCREENSHOT} is set ({@code -DINFERMESH_SCREENSHOT=true}).
 */
class GatewayBrowserTests {

    static final Path MODELS = Path.of("../models");
    static final Duration JOB_TIMEOUT = Duration.ofSeconds(90);
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static LocalMesh mesh;
    static String gateway;

    @BeforeAll
    static void startMesh() {
        HeadlessChromium.assumeInstalled();
        mesh = LocalMesh.start(LocalMesh.Settings.randomPorts(MODELS));
        gateway = mesh.url("gateway-service");
    }

    @AfterAll
    static void stopMesh() {
        if (mesh != null) {
            mesh.close();
        }
    }

    @Test
    void aliceWatchesHerUploadsSucceedLiveReadsTheAnswerAndDeletesHerInputWhileBobSeesNoneOfIt() throws Exception {
        String digitJob;
        String irisJob;
        String digitKey;
        try (HeadlessChromium alice = HeadlessChromium.open()) {
            // Given alice at the gateway's door: the provider's login form
            alice.driver.get(gateway + "/");
            long submitted = logIn(alice, "alice");
            assertThat(alice.driver.findElement(By.id("user-name")).getText()).isEqualTo("alice");
            // a mark that lives only as long as this page: if it is still there at the end, nothing reloaded
            alice.script("window.__sameDocument = 'alice';");

            // When she uploads a digit for digits and a flower for iris
            upload(alice, "digits", MODELS.resolve("digits/samples/digit-3.png"));
            upload(alice, "iris", MODELS.resolve("iris/samples/setosa.json"));
            WebElement digitUpload = awaitUploadJob(alice, "digit-3.png");
            digitJob = digitUpload.getDomAttribute("data-job-id");
            digitKey = digitUpload.getDomAttribute("data-key");
            irisJob = awaitUploadJob(alice, "setosa.json").getDomAttribute("data-job-id");

            // Then both rows reach SUCCEEDED on the live stream
            awaitRowStatus(alice, digitJob, "SUCCEEDED");
            long loginToSucceeded =
                    Duration.ofNanos(System.nanoTime() - submitted).toMillis();
            System.out.println("login-to-succeeded-ms=" + loginToSucceeded);
            awaitRowStatus(alice, irisJob, "SUCCEEDED");
            assertThat(alice.script("return window.__sameDocument;"))
                    .as("the page never reloaded")
                    .isEqualTo("alice");
            // rows are redrawn as the live list changes: each look finds the row afresh
            assertThat(rowText(alice, digitJob)).contains("digit-3.png", "digits", "onprem");
            assertThat(rowText(alice, irisJob)).contains("setosa.json", "iris");
            screenshot(alice);

            // When she opens the digit's job, the top answer is 3 and result.json is hers to read
            wait(alice, Duration.ofSeconds(15)).until(d -> {
                row(alice, digitJob)
                        .findElement(By.cssSelector("[data-testid=job-link]"))
                        .click();
                return true;
            });
            WebElement top = wait(alice, Duration.ofSeconds(15))
                    .until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[data-testid=top-label]")));
            assertThat(top.getText()).isEqualTo("3");
            List<WebElement> answers = alice.driver.findElements(By.cssSelector("[data-testid=prediction]"));
            assertThat(answers).hasSize(5);
            WebElement download = wait(alice, Duration.ofSeconds(15))
                    .until(ExpectedConditions.presenceOfElementLocated(
                            By.cssSelector("[data-testid=result-download]")));
            JsonNode result = JSON.readTree(fetch(download.getDomAttribute("href")));
            assertThat(result.get("labels").get(0).asString()).isEqualTo("3");
            wait(alice, Duration.ofSeconds(15))
                    .until(d -> d.findElement(By.cssSelector("[data-testid=result-json]"))
                                    .getDomAttribute("data-loaded")
                            != null);
            WebElement raw = alice.driver.findElement(By.cssSelector("[data-testid=result-json]"));
            assertThat(raw.getDomAttribute("data-loaded"))
                    .as("the raw result is shown: %s", raw.getText())
                    .isEqualTo("true");
            assertThat(JSON.readTree(raw.getText()).get("labels")).isEqualTo(result.get("labels"));
            wait(alice, Duration.ofSeconds(15))
                    .until(d -> Boolean.TRUE.equals(
                            alice.script("const i = document.querySelector('[data-testid=input-preview]');"
                                    + " return !!i && i.complete && i.naturalWidth > 0;")));

            // When she deletes the digit from My files, it disappears (from the page and from storage)
            alice.driver.findElement(By.cssSelector("[data-testid=nav-files]")).click();
            By digitFile = By.cssSelector("[data-testid=file-row][data-key='" + digitKey + "']");
            WebElement file =
                    wait(alice, Duration.ofSeconds(15)).until(ExpectedConditions.visibilityOfElementLocated(digitFile));
            file.findElement(By.cssSelector("[data-testid=file-delete]")).click();
            wait(alice, Duration.ofSeconds(5))
                    .until(ExpectedConditions.alertIsPresent())
                    .accept();
            wait(alice, Duration.ofSeconds(15)).until(ExpectedConditions.numberOfElementsToBe(digitFile, 0));
            try (S3Client s3 = mesh.infra().s3().client()) {
                String key = digitKey;
                Assertions.assertThatThrownBy(() ->
                                s3.headObject(b -> b.bucket(LocalMesh.BUCKET).key(key)))
                        .isInstanceOf(NoSuchKeyException.class);
            }

            // And a phone-sized window still shows her jobs, one card per job
            alice.driver.findElement(By.cssSelector("[data-testid=nav-home]")).click();
            alice.driver.manage().window().setSize(new Dimension(375, 812));
            wait(alice, Duration.ofSeconds(15)).until(d -> row(alice, digitJob).isDisplayed());
            assertThat((Boolean) alice.script("return document.documentElement.scrollWidth <= window.innerWidth;"))
                    .as("nothing wider than the phone's screen")
                    .isTrue();

            assertThat(alice.errors()).as("browser errors").isEmpty();
        }

        // Given bob in a browser of his own
        try (HeadlessChromium bob = HeadlessChromium.open()) {
            bob.driver.get(gateway + "/");
            logIn(bob, "bob");
            assertThat(bob.driver.findElement(By.id("user-name")).getText()).isEqualTo("bob");
            // Then he sees none of alice's jobs, not even by asking for them by id
            assertThat(bob.driver.findElements(By.cssSelector("[data-testid=job-row]")))
                    .isEmpty();
            assertThat(bob.driver
                            .findElement(By.cssSelector("[data-testid=jobs-empty]"))
                            .isDisplayed())
                    .isTrue();
            assertThat(bob.driver.getPageSource()).doesNotContain(digitJob, irisJob);
            assertThat(bob.errors())
                    .as("browser errors before bob asks for alice's jobs")
                    .isEmpty();
            for (String job : List.of(digitJob, irisJob)) {
                Object status = bob.asyncScript(
                        "const done = arguments[arguments.length - 1];"
                                + " fetch('/api/jobs/' + arguments[0]).then(r => done(r.status), e => done(String(e)));",
                        job);
                assertThat(status).as("bob asking for alice's job %s", job).isEqualTo(404L);
            }
            // the browser logs each refused fetch; those two and nothing else
            assertThat(bob.errors())
                    .as("browser errors of bob's two refused fetches")
                    .allMatch(e -> e.contains("/api/jobs/" + digitJob) || e.contains("/api/jobs/" + irisJob))
                    .allMatch(e -> e.contains("404"));
            // nor her files
            bob.driver.findElement(By.cssSelector("[data-testid=nav-files]")).click();
            wait(bob, Duration.ofSeconds(15))
                    .until(ExpectedConditions.visibilityOfElementLocated(
                            By.cssSelector("[data-testid=files-inputs-empty]")));
            assertThat(bob.driver.findElements(By.cssSelector("[data-testid=file-row]")))
                    .isEmpty();
            assertThat(bob.driver.getPageSource()).doesNotContain("/alice/");
            assertThat(bob.errors()).as("browser errors").isEmpty();
        }
    }

    /** Fills the provider's login form and waits for the gateway's page; returns when the form was submitted. */
    static long logIn(HeadlessChromium browser, String username) {
        WebElement user = wait(browser, Duration.ofSeconds(30))
                .until(ExpectedConditions.visibilityOfElementLocated(By.id("username")));
        user.sendKeys(username);
        browser.driver
                .findElement(By.id("password"))
                .sendKeys(mesh.identity().accounts().password(username));
        long submitted = System.nanoTime();
        browser.driver.findElement(By.cssSelector("button[type=submit]")).click();
        wait(browser, Duration.ofSeconds(30))
                .until(d -> d.getCurrentUrl().startsWith(gateway)
                        && "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-ready")));
        return submitted;
    }

    static void upload(HeadlessChromium browser, String model, Path file) {
        wait(browser, Duration.ofSeconds(15))
                .until(ExpectedConditions.elementToBeClickable(
                        By.cssSelector("[data-testid=model-choice-" + model + "]")))
                .click();
        browser.driver
                .findElement(By.cssSelector("[data-testid=file-input]"))
                .sendKeys(file.toAbsolutePath().normalize().toString());
    }

    /** The upload's line once the stream has brought its job; an upload error fails at once with its sentence. */
    static WebElement awaitUploadJob(HeadlessChromium browser, String fileName) {
        By item = By.cssSelector("[data-testid=upload-item][data-file-name='" + fileName + "']");
        return wait(browser, JOB_TIMEOUT).until(d -> {
            WebElement line = d.findElement(item);
            String state = line.getDomAttribute("data-state");
            if ("error".equals(state)) {
                fail("upload of %s failed: %s", fileName, line.getText());
            }
            return "job".equals(state) ? line : null;
        });
    }

    /** Waits for the row's status; a different end (FAILED, CANCELLED) fails at once with what the row says. */
    static void awaitRowStatus(HeadlessChromium browser, String jobId, String status) {
        wait(browser, JOB_TIMEOUT).until(d -> {
            String shown = row(browser, jobId).getDomAttribute("data-status");
            if (!status.equals(shown)
                    && List.of("SUCCEEDED", "FAILED", "CANCELLED").contains(shown)) {
                fail("job %s ended %s: %s", jobId, shown, row(browser, jobId).getText());
            }
            return status.equals(shown);
        });
    }

    /** The row's text, read again if the list redrew the row while it was being read. */
    static String rowText(HeadlessChromium browser, String jobId) {
        return wait(browser, Duration.ofSeconds(15))
                .until(d -> row(browser, jobId).getText());
    }

    static WebElement row(HeadlessChromium browser, String jobId) {
        return browser.driver.findElement(By.cssSelector("[data-testid=job-row][data-job-id='" + jobId + "']"));
    }

    static WebDriverWait wait(HeadlessChromium browser, Duration timeout) {
        WebDriverWait wait = new WebDriverWait(browser.driver, timeout, Duration.ofMillis(50));
        wait.ignoring(NoSuchElementException.class);
        wait.ignoring(StaleElementReferenceException.class);
        // a timeout says where the browser was and what it showed, not only what was missing
        wait.withMessage(() -> "at " + browser.driver.getCurrentUrl() + " the page said: " + pageText(browser));
        return wait;
    }

    static String pageText(HeadlessChromium browser) {
        try {
            String text =
                    browser.driver.findElement(By.tagName("body")).getText().replaceAll("\\s+", " ");
            return text.length() > 600 ? text.substring(0, 600) + "…" : text;
        } catch (RuntimeException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    /** A presigned URL, fetched the way any program would: no cookie, no token. */
    static String fetch(String url) throws Exception {
        HttpResponse<String> response =
                HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET %s: %s", url, response.body()).isEqualTo(200);
        return response.body();
    }

    static void screenshot(HeadlessChromium browser) throws Exception {
        // the whole page (models, uploads and jobs) in one picture: a window as tall as the document
        Dimension before = browser.driver.manage().window().getSize();
        long height = ((Number) browser.script("return document.documentElement.scrollHeight;")).longValue();
        browser.driver.manage().window().setSize(new Dimension(before.getWidth(), (int) Math.min(height + 100, 2000)));
        Path shot = browser.driver.getScreenshotAs(OutputType.FILE).toPath();
        browser.driver.manage().window().setSize(before);
        Path target = Path.of("target/screenshots/gateway.png");
        Files.createDirectories(target.getParent());
        Files.copy(shot, target, StandardCopyOption.REPLACE_EXISTING);
        String wanted = System.getProperty("INFERMESH_SCREENSHOT", System.getenv("INFERMESH_SCREENSHOT"));
        if (wanted != null && !wanted.isBlank() && !"false".equalsIgnoreCase(wanted)) {
            Path docs = Path.of("../docs/images/gateway.png");
            Files.createDirectories(docs.getParent());
            Files.copy(shot, docs, StandardCopyOption.REPLACE_EXISTING);
        }
        assertThat(Files.size(target)).isPositive();
    }
}
