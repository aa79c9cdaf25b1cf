package io.infermesh.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The ready banner is what a newcomer copies from: its addresses and commands must be this run's, not the documented
 * defaults, and the commands must work when pasted into a shell.
 */
class LocalMeshBannerTests {

    static final Path MODELS = Path.of("../models");
    static LocalMesh mesh;
    static String banner;

    @BeforeAll
    static void startMesh() {
        mesh = LocalMesh.start(LocalMesh.Settings.randomPorts(MODELS));
        banner = mesh.banner(LocalMesh.Settings.randomPorts(MODELS), Duration.ofSeconds(1));
    }

    @AfterAll
    static void stopMesh() {
        if (mesh != null) {
            mesh.close();
        }
    }

    @Test
    void theBannerNamesThisRunsPortsAndNoDefaultOneThatIsNotInUse() {
        assertThat(banner)
                .contains(
                        mesh.url("gateway-service"),
                        mesh.url("status-service") + "/api/jobs?owner=alice",
                        mesh.url("status-service") + "/api/jobs/stream?owner=alice",
                        mesh.identity().issuer() + "/oauth2/token",
                        "aws --endpoint-url " + mesh.infra().s3().endpoint(),
                        "kcat -b " + mesh.infra().kafka().bootstrapServers() + " -C -t infermesh.jobs.results",
                        mesh.infra().postgres().jdbcUrl(),
                        mesh.managementUrl("status-service"));
        List<Integer> inUse = List.of(
                mesh.infra().kafka().port(),
                mesh.infra().s3().endpoint().getPort(),
                mesh.infra().postgres().port(),
                port(mesh.url("status-service")),
                port(mesh.url("gateway-service")),
                port(mesh.identity().issuer()));
        for (int defaultPort :
                List.of(9092, 9000, 15432, 8080, 8081, 8082, 8083, 8088, 9090, 18080, 18081, 18082, 18083, 18088)) {
            if (!inUse.contains(defaultPort)) {
                assertThat(banner)
                        .as("default port %d", defaultPort)
                        .doesNotContainPattern(":" + defaultPort + "(?!\\d)");
            }
        }
    }

    @Test
    void theBannersUploadTokenAndListCommandsWorkWhenPastedIntoAShell() throws Exception {
        List<String> commands = commands();
        assertThat(commands).hasSize(6);
        String upload = commands.get(0);
        String token = commands.get(1);
        String list = commands.get(2);
        assertThat(upload).contains("s3 cp models/digits/samples/digit-3.png");

        assertThat(bash(upload)).contains("upload:");
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(bash(token + "\n" + list))
                        .contains("\"owner\":\"alice\"")
                        .contains("\"status\":\"SUCCEEDED\"")
                        .contains("digit-3.png"));
    }

    /** The commands under "Try", continuation lines joined as a shell would. */
    static List<String> commands() {
        int start = banner.indexOf("Try");
        String tried = banner.substring(start, banner.indexOf("=====", start));
        List<String> commands = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : tried.lines()
                .skip(1)
                .map(String::strip)
                .filter(l -> !l.isEmpty())
                .toList()) {
            if (line.endsWith("\\")) {
                current.append(line, 0, line.length() - 1);
            } else {
                commands.add(current.append(line).toString());
                current.setLength(0);
            }
        }
        return commands;
    }

    static String bash(String script) throws IOException, InterruptedException {
        Process process = new ProcessBuilder("bash", "-c", "set -e\n" + script)
                .directory(Path.of("..").toFile())
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }

    private static int port(String url) {
        return URI.create(url).getPort();
    }
}
