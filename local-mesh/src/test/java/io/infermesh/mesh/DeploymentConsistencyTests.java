package io.infermesh.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import io.infermesh.contracts.Topic;
import io.infermesh.contracts.Topics;
import io.infermesh.security.MeshSecurityProperties;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The deployment files ({@code docker-compose.yml}, the services' {@code Dockerfile}s, {@code deploy/prometheus})
 * cannot be run where the mesh is developed (no Docker engine), so they are checked here against what they deploy: the
 * services' own {@code <service>.yml}, their Maven modules, the topic catalogue and the ingest inbox. A misspelt
 * environment variable, a port that drifted, or a notification rule that no longer matches the inbox fails the build.
 * Only files are read; nothing is started.
 */
class DeploymentConsistencyTests {

    /** Tests run in local-mesh/; the repository root is its parent. */
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    /** The deployable services: each is a Maven module with its own {@code <module>.yml} and Boot jar. */
    static final List<String> SERVICES =
            List.of("ingest-service", "router-service", "worker-service", "status-service", "gateway-service");

    static final YAMLMapper YAML = YAMLMapper.builder().build();

    /**
     * The environment names of mesh-security's keys ({@code infermesh.security.owner-claim} …), which every service
     * binds although no service's yml lists them.
     */
    static final Set<String> MESH_SECURITY_VARIABLES = Arrays.stream(MeshSecurityProperties.class.getRecordComponents())
            .map(c -> "infermesh.security."
                    + c.getName().replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT))
            .flatMap(key -> Stream.of(AppConfig.environmentName(key, ""), AppConfig.environmentName(key, "_")))
            .collect(Collectors.toCollection(TreeSet::new));

    static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^:}]+)(?::[^}]*)?}");
    static final Pattern PORT_DEFAULT = Pattern.compile("\\$\\{([^:}]+):(\\d+)}|(\\d+)");
    static final Pattern HEALTH_URL =
            Pattern.compile("https?://(?:localhost|127\\.0\\.0\\.1):(\\d+)/actuator/health\\b");

    static JsonNode compose;
    static JsonNode services;
    static Map<String, AppConfig> apps;

    @BeforeAll
    static void readFiles() throws IOException {
        compose = readYaml(ROOT.resolve("docker-compose.yml"));
        services = compose.path("services");
        apps = new LinkedHashMap<>();
        for (String module : SERVICES) {
            apps.put(module, AppConfig.read(module));
        }
    }

    @Test
    void meshSecurityKeysAreNamedAsServicesBindThem() {
        assertThat(MESH_SECURITY_VARIABLES)
                .contains(
                        "INFERMESH_SECURITY_OWNERCLAIM",
                        "INFERMESH_SECURITY_OWNER_CLAIM",
                        "INFERMESH_SECURITY_ROLES_CLAIM",
                        "INFERMESH_SECURITY_ENABLED");
    }

    @Test
    void everyServiceIsBuiltFromTheDockerfileInItsOwnModule() {
        assertThat(builtServices())
                .as("services built from a Dockerfile in docker-compose.yml")
                .containsExactlyInAnyOrderElementsOf(SERVICES);
        for (String name : builtServices()) {
            Path context = buildContext(name);
            assertThat(context).as("build context of %s", name).isEqualTo(ROOT.resolve(name));
            assertThat(dockerfile(name)).as("Dockerfile of %s", name).isRegularFile();
        }
    }

    @Test
    void everyDockerfileCopiesItsModulesExecJar() throws IOException {
        String version = projectVersion();
        for (String name : builtServices()) {
            String jar = "target/" + name + "-" + version + "-exec.jar";
            String pom = Files.readString(ROOT.resolve(name).resolve("pom.xml"));
            assertThat(pom)
                    .as("%s/pom.xml repackages the Boot jar with classifier exec", name)
                    .containsPattern("<classifier>\\s*exec\\s*</classifier>");

            List<String> sources = new ArrayList<>();
            for (Instruction copy : Instruction.parse(dockerfile(name))) {
                if (copy.is("COPY") && copy.flags().stream().noneMatch(f -> f.startsWith("--from"))) {
                    sources.addAll(copy.args().subList(0, copy.args().size() - 1));
                }
            }
            assertThat(sources)
                    .as("COPY sources of %s/Dockerfile (relative to the module directory)", name)
                    .anyMatch(source -> globMatches(source, jar));
        }
    }

    @Test
    void everyImageRunsAsANonRootUserOnJava21() throws IOException {
        for (String name : builtServices()) {
            List<Instruction> instructions = Instruction.parse(dockerfile(name));
            List<Instruction> froms =
                    instructions.stream().filter(i -> i.is("FROM")).toList();
            assertThat(froms).as("FROM of %s/Dockerfile", name).isNotEmpty();
            Instruction last = froms.getLast();
            assertThat(last.args().getFirst()).as("runtime image of %s", name).isEqualTo("eclipse-temurin:21-jre");
            List<String> users = instructions.subList(instructions.indexOf(last), instructions.size()).stream()
                    .filter(i -> i.is("USER"))
                    .map(i -> i.args().getFirst())
                    .toList();
            assertThat(users)
                    .as("USER of the runtime stage of %s/Dockerfile", name)
                    .isNotEmpty();
            assertThat(users.getLast().split(":")[0])
                    .as("the user %s runs as", name)
                    .isNotIn("root", "0");
        }
    }

    @Test
    void theWorkerImageAllowsOnnxRuntimeItsNativeAccess() throws IOException {
        List<String> launch = Instruction.parse(dockerfile("worker-service")).stream()
                .filter(i -> i.is("ENTRYPOINT") || i.is("CMD") || i.is("ENV"))
                .map(Instruction::text)
                .toList();
        assertThat(launch)
                .as("ENTRYPOINT, CMD and ENV (JAVA_TOOL_OPTIONS) of worker-service/Dockerfile")
                .anyMatch(text -> text.contains("--enable-native-access=ALL-UNNAMED"));
    }

    @Test
    void everyServiceIsExposedOnItsYmlPortsAndHealthCheckedAndScrapedOnItsManagementPort() throws IOException {
        JsonNode prometheus = readYaml(ROOT.resolve("deploy/prometheus/prometheus.yml"));
        Set<String> scraped = new TreeSet<>();
        for (JsonNode job : prometheus.path("scrape_configs").values()) {
            if ("/actuator/prometheus".equals(job.path("metrics_path").asString(""))) {
                job.path("static_configs")
                        .values()
                        .forEach(c -> c.path("targets").values().forEach(t -> scraped.add(t.asString())));
            }
        }
        assertThat(volumes(services.path("prometheus")))
                .as("volumes of the prometheus service")
                .anyMatch(v -> v.source().equals("./deploy/prometheus/prometheus.yml")
                        && v.target().equals("/etc/prometheus/prometheus.yml"));

        for (String name : builtServices()) {
            AppConfig app = apps.get(name);
            int port = app.defaultPort("server.port");
            // the actuator has a port of its own (ADR 0014): health and prometheus open there, the rest for operators
            int management = app.defaultPort("management.server.port");
            JsonNode service = services.path(name);
            Map<String, String> env = environment(service);
            assertThat(env)
                    .as("environment of %s must not move it off its yml ports %d and %d", name, port, management)
                    .doesNotContainKey("SERVER_PORT")
                    .doesNotContainKey(app.portPlaceholder("server.port"))
                    .doesNotContainKey("MANAGEMENT_SERVER_PORT")
                    .doesNotContainKey(app.portPlaceholder("management.server.port"));

            String test = String.join(" ", strings(service.path("healthcheck").path("test")));
            Matcher health = HEALTH_URL.matcher(test);
            assertThat(health.find())
                    .as("healthcheck of %s calls /actuator/health: %s", name, test)
                    .isTrue();
            assertThat(Integer.parseInt(health.group(1)))
                    .as("healthcheck port of %s (management)", name)
                    .isEqualTo(management);

            assertThat(containerPorts(service))
                    .as("container ports %s publishes", name)
                    .contains(port)
                    .isSubsetOf(port, management);
            List<Integer> exposed = Instruction.parse(dockerfile(name)).stream()
                    .filter(i -> i.is("EXPOSE"))
                    .flatMap(i -> i.args().stream())
                    .map(p -> Integer.parseInt(p.split("/")[0]))
                    .toList();
            assertThat(exposed).as("EXPOSE of %s/Dockerfile", name).containsExactlyInAnyOrder(port, management);

            assertThat(scraped).as("Prometheus targets at /actuator/prometheus").contains(name + ":" + management);
            assertThat(app.value("management.endpoints.web.exposure.include"))
                    .as("%s.yml exposes health and prometheus over HTTP", name)
                    .contains("health", "prometheus");
        }
    }

    @Test
    void everyEnvironmentVariableAServiceGetsIsAKeyOrAPlaceholderOfItsYml() {
        List<String> unknown = new ArrayList<>();
        for (String name : builtServices()) {
            AppConfig app = apps.get(name);
            for (String variable : environment(services.path(name)).keySet()) {
                if (!app.relaxedNames().contains(variable)
                        && !app.placeholders().contains(variable)
                        && !MESH_SECURITY_VARIABLES.contains(variable)) {
                    unknown.add(name + ": " + variable);
                }
            }
        }
        assertThat(unknown).as("""
                environment variables in docker-compose.yml that no key of the service's yml binds to (relaxed \
                binding: upper case, '.' and '[' become '_', '-' is dropped) and that the yml does not read as a \
                ${NAME} placeholder; the service would silently ignore them""").isEmpty();
    }

    /**
     * A killed instance of any service gives up its partitions within seconds (ADR 0024 for ingest, router and status,
     * whose binder consumers use Kafka's classic protocol; ADR 0018 for the workers' KIP-848 group), not after Kafka's
     * default 45 s session: the fault harness measured 46–47 s of stall after {@code kill -9} of a router or ingest
     * before.
     */
    @Test
    void everyServicesKafkaConsumersAreFencedWithinSixSecondsOfItsDeath() throws IOException {
        for (String service : List.of("ingest-service", "router-service", "status-service")) {
            JsonNode consumer = readYaml(ROOT.resolve(service + "/src/main/resources/" + service + ".yml"))
                    .at("/spring/cloud/stream/kafka/binder/consumer-properties");
            long session = defaultOf(consumer.path("session.timeout.ms").asString(""));
            long heartbeat = defaultOf(consumer.path("heartbeat.interval.ms").asString(""));
            assertThat(session).as(service + "'s session.timeout.ms").isBetween(1L, 6_000L);
            assertThat(heartbeat).as(service + "'s heartbeat.interval.ms").isBetween(1L, session / 3);
        }
        JsonNode pool = readYaml(ROOT.resolve("worker-service/src/main/resources/worker-service.yml"))
                .at("/infermesh/worker/pool");
        assertThat(pool.path("session-timeout").asString()).isEqualTo("${WORKER_SESSION_TIMEOUT:6s}");
    }

    /** The default of a {@code ${NAME:default}} placeholder, or the plain number; 0 when there is none. */
    private static long defaultOf(String value) {
        Matcher placeholder = Pattern.compile("\\$\\{[^:}]+:(\\d+)}").matcher(value);
        if (placeholder.matches()) {
            return Long.parseLong(placeholder.group(1));
        }
        return value.matches("\\d+") ? Long.parseLong(value) : 0;
    }

    @Test
    void minioPublishesBucketNotificationsToTheTopicIngestServiceReads() {
        String id = minioKafkaTarget();
        Map<String, String> minio = environment(services.path("minio"));
        assertThat(minio.get("MINIO_NOTIFY_KAFKA_TOPIC_" + id))
                .as("MinIO's Kafka notification topic")
                .isEqualTo(Topics.STORAGE_EVENTS.name());
        assertThat(apps.get("ingest-service").value("spring.cloud.stream.bindings.ingestStorageEvent-in-0.destination"))
                .as("the topic ingest-service consumes")
                .isEqualTo(Topics.STORAGE_EVENTS.name());
    }

    @Test
    void theBucketNotificationRuleCoversExactlyTheIngestInbox() {
        MinioEventRule rule = MinioEventRule.parse(commandText(services.path("minio-init")));
        String bucket = rule.target().substring(rule.target().indexOf('/') + 1);

        assertThat(bucket).as("bucket of the notification rule").isEqualTo(LocalMesh.BUCKET);
        assertThat(commandText(services.path("minio-init")))
                .as("minio-init creates the bucket it configures")
                .containsPattern("mc mb\\b.*\\s" + Pattern.quote(rule.target()) + "(\\s|$)");
        assertThat(rule.arn())
                .as("ARN of the notification rule")
                .isEqualTo("arn:minio:sqs::" + minioKafkaTarget() + ":kafka");
        assertThat(rule.events())
                .as("events of the notification rule (put = every object-created event)")
                .contains("put");

        JsonNode inboxes = apps.get("ingest-service").flat().get("infermesh.ingest.inboxes");
        assertThat(inboxes).as("infermesh.ingest.inboxes in ingest-service.yml").isNotNull();
        List<String> inboxPrefixes = new ArrayList<>();
        for (JsonNode inbox : inboxes.values()) {
            String value = inbox.asString();
            int slash = value.indexOf('/');
            String inboxBucket = value.substring(0, slash);
            if (inboxBucket.equals("*") || inboxBucket.equals(bucket)) {
                inboxPrefixes.add(value.substring(slash + 1));
            }
        }
        assertThat(inboxPrefixes)
                .as("ingest-service inbox prefixes that apply to bucket %s", bucket)
                .contains(rule.prefix());
        assertThat(rule.prefix())
                .as("the rule must not cover the results the worker writes")
                .isNotEqualTo("")
                .doesNotStartWith(apps.get("worker-service").value("infermesh.worker.results-prefix"));
    }

    @Test
    void everyKafkaClientUsesTheListenerAdvertisedToOtherContainers() {
        Map<String, String> kafka = environment(services.path("kafka"));
        Set<String> forContainers = new LinkedHashSet<>();
        for (String listener :
                kafka.getOrDefault("KAFKA_ADVERTISED_LISTENERS", "").split(",")) {
            String address = listener.substring(listener.indexOf("://") + 3);
            if (address.startsWith("kafka:")) {
                forContainers.add(address);
            }
        }
        assertThat(forContainers)
                .as("listeners the kafka service advertises under its compose name")
                .hasSize(1);
        String brokers = forContainers.iterator().next();

        assertThat(environment(services.path("minio")).get("MINIO_NOTIFY_KAFKA_BROKERS_" + minioKafkaTarget()))
                .as("MinIO's Kafka brokers")
                .isEqualTo(brokers);
        for (String name : kafkaClients()) {
            Map<String, String> env = environment(services.path(name));
            String configured =
                    env.getOrDefault("SPRING_CLOUD_STREAM_KAFKA_BINDER_BROKERS", env.get("KAFKA_BOOTSTRAP_SERVERS"));
            assertThat(configured).as("Kafka brokers of %s", name).isEqualTo(brokers);
        }
    }

    @Test
    void theFixedTopicsExistWithEnoughPartitionsBeforeAnyServiceStarts() {
        String script = commandText(services.path("kafka-init"));
        List<String> tokens = List.of(script.split("[\\s\"';]+"));
        for (Topic<?, ?> topic : Topics.fixed()) {
            assertThat(tokens).as("topics kafka-init creates").contains(topic.name());
        }
        Matcher partitions = Pattern.compile("--partitions\\s+(\\d+)").matcher(script);
        assertThat(partitions.find()).as("kafka-init sets --partitions").isTrue();
        int created = Integer.parseInt(partitions.group(1));
        for (String name : kafkaClients()) {
            String min = apps.get(name).value("spring.cloud.stream.kafka.binder.min-partition-count");
            if (min != null) {
                assertThat(created)
                        .as("partitions kafka-init creates vs min-partition-count of %s", name)
                        .isGreaterThanOrEqualTo(Integer.parseInt(min));
            }
            assertThat(dependsOn(name))
                    .as("depends_on of %s", name)
                    .containsEntry("kafka", "service_healthy")
                    .containsEntry("kafka-init", "service_completed_successfully");
        }
    }

    @Test
    void everyStartupConditionCanBeMet() {
        for (String name : services.propertyNames()) {
            for (Map.Entry<String, String> dependency : dependsOn(name).entrySet()) {
                JsonNode target = services.path(dependency.getKey());
                assertThat(target.isObject())
                        .as("%s depends on an existing service %s", name, dependency.getKey())
                        .isTrue();
                switch (dependency.getValue()) {
                    case "service_healthy" ->
                        assertThat(target.has("healthcheck"))
                                .as(
                                        "%s waits for %s to be healthy, so it needs a healthcheck",
                                        name, dependency.getKey())
                                .isTrue();
                    case "service_completed_successfully" ->
                        assertThat(target.path("restart").asString("no"))
                                .as("%s waits for %s to complete, so it must be a one-shot", name, dependency.getKey())
                                .isEqualTo("no");
                    default ->
                        assertThat(dependency.getValue())
                                .as("condition of %s on %s", name, dependency.getKey())
                                .isEqualTo("service_started");
                }
            }
        }
    }

    @Test
    void theModelsMountIsWhereInfermeshModelsDirPoints() {
        List<String> readers = builtServices().stream()
                .filter(name -> apps.get(name).placeholders().contains("INFERMESH_MODELS_DIR"))
                .toList();
        assertThat(readers)
                .as("services whose yml reads INFERMESH_MODELS_DIR")
                .contains("router-service", "worker-service");
        for (String name : readers) {
            JsonNode service = services.path(name);
            String modelsDir = environment(service).get("INFERMESH_MODELS_DIR");
            assertThat(modelsDir)
                    .as(
                            "INFERMESH_MODELS_DIR of %s (the yml default is relative to the working "
                                    + "directory, which has no models in the image)",
                            name)
                    .isNotBlank();
            List<Volume> mounts = volumes(service).stream()
                    .filter(v -> v.target().equals(modelsDir))
                    .toList();
            assertThat(mounts)
                    .as("a volume of %s mounted at %s", name, modelsDir)
                    .hasSize(1);
            Volume mount = mounts.getFirst();
            assertThat(mount.readOnly())
                    .as("the models mount of %s is read-only", name)
                    .isTrue();
            Path source = ROOT.resolve(mount.source()).normalize();
            assertThat(source).as("models source of %s", name).isEqualTo(ROOT.resolve("models"));
            assertThat(source.resolve("digits/model.yaml"))
                    .as("a model card under %s", source)
                    .isRegularFile();
        }
    }

    @Test
    void statusServiceUsesTheDatabaseOfThePostgresContainer() {
        Map<String, String> status = environment(services.path("status-service"));
        Map<String, String> postgres = environment(services.path("postgres"));
        Matcher url = Pattern.compile("jdbc:postgresql://([^:/]+)(?::(\\d+))?/([^?]+).*")
                .matcher(status.getOrDefault("SPRING_DATASOURCE_URL", ""));
        assertThat(url.matches()).as("SPRING_DATASOURCE_URL of status-service").isTrue();
        assertThat(url.group(1)).as("database host").isEqualTo("postgres");
        assertThat(url.group(2) == null ? "5432" : url.group(2))
                .as("database port")
                .isEqualTo("5432");
        assertThat(url.group(3)).as("database name").isEqualTo(postgres.get("POSTGRES_DB"));
        assertThat(status.get("SPRING_DATASOURCE_USERNAME"))
                .as("database user")
                .isEqualTo(postgres.get("POSTGRES_USER"));
        assertThat(status.get("SPRING_DATASOURCE_PASSWORD"))
                .as("database password")
                .isEqualTo(postgres.get("POSTGRES_PASSWORD"));
    }

    @Test
    void theWorkerReachesMinioWithTheAccountMinioInitCreates() {
        Map<String, String> worker = environment(services.path("worker-service"));
        Map<String, String> init = environment(services.path("minio-init"));
        assertThat(worker.get("S3_ENDPOINT"))
                .as("S3 endpoint of worker-service")
                .isEqualTo("http://minio:9000");
        assertThat(worker.get("S3_PATH_STYLE"))
                .as("path-style addressing (MinIO needs it)")
                .isEqualTo("true");
        assertThat(worker.get("S3_ACCESS_KEY")).as("worker access key").isEqualTo(init.get("WORKER_S3_ACCESS_KEY"));
        assertThat(worker.get("S3_SECRET_KEY")).as("worker secret key").isEqualTo(init.get("WORKER_S3_SECRET_KEY"));
        assertThat(worker.get("INFERMESH_RESULTS_BUCKET")).as("results bucket").isEqualTo(LocalMesh.BUCKET);
        assertThat(dependsOn("worker-service"))
                .as("depends_on of worker-service")
                .containsEntry("minio-init", "service_completed_successfully");
    }

    // ------------------------------------------------------------------------------------------------ compose

    static List<String> builtServices() {
        return services.propertyNames().stream()
                .filter(name -> services.path(name).has("build"))
                .toList();
    }

    /** The built services that talk to Kafka: their yml configures the binder (the gateway does not). */
    static List<String> kafkaClients() {
        return builtServices().stream()
                .filter(name -> apps.get(name).value("spring.cloud.stream.kafka.binder.brokers") != null)
                .toList();
    }

    static Path buildContext(String name) {
        JsonNode build = services.path(name).path("build");
        String context = build.isObject() ? build.path("context").asString(".") : build.asString();
        return ROOT.resolve(context).normalize();
    }

    static Path dockerfile(String name) {
        JsonNode build = services.path(name).path("build");
        String file = build.isObject() ? build.path("dockerfile").asString("Dockerfile") : "Dockerfile";
        return buildContext(name).resolve(file);
    }

    /** A service's environment, from the map or the list form; a variable without value maps to "". */
    static Map<String, String> environment(JsonNode service) {
        Map<String, String> env = new LinkedHashMap<>();
        JsonNode node = service.path("environment");
        if (node.isObject()) {
            node.properties()
                    .forEach(e -> env.put(
                            e.getKey(),
                            e.getValue().isNull() ? "" : e.getValue().asString()));
        } else {
            for (JsonNode item : node.values()) {
                String[] pair = item.asString().split("=", 2);
                env.put(pair[0], pair.length > 1 ? pair[1] : "");
            }
        }
        return env;
    }

    /** depends_on as service → condition (the short list form means service_started). */
    static Map<String, String> dependsOn(String name) {
        Map<String, String> conditions = new LinkedHashMap<>();
        JsonNode node = services.path(name).path("depends_on");
        if (node.isObject()) {
            node.properties()
                    .forEach(e -> conditions.put(
                            e.getKey(), e.getValue().path("condition").asString("service_started")));
        } else {
            node.values().forEach(v -> conditions.put(v.asString(), "service_started"));
        }
        return conditions;
    }

    record Volume(String source, String target, boolean readOnly) {}

    static List<Volume> volumes(JsonNode service) {
        List<Volume> volumes = new ArrayList<>();
        for (JsonNode v : service.path("volumes").values()) {
            if (v.isObject()) {
                volumes.add(new Volume(
                        v.path("source").asString(""),
                        v.path("target").asString(""),
                        v.path("read_only").asBoolean(false)));
            } else {
                String[] parts = v.asString().split(":");
                boolean readOnly =
                        parts.length > 2 && Arrays.asList(parts[2].split(",")).contains("ro");
                volumes.add(new Volume(parts[0], parts.length > 1 ? parts[1] : parts[0], readOnly));
            }
        }
        return volumes;
    }

    static Set<Integer> containerPorts(JsonNode service) {
        Set<Integer> ports = new TreeSet<>();
        for (JsonNode p : service.path("ports").values()) {
            if (p.isObject()) {
                ports.add(p.path("target").asInt());
            } else {
                String spec = p.asString().split("/")[0];
                ports.add(Integer.parseInt(spec.substring(spec.lastIndexOf(':') + 1)));
            }
        }
        return ports;
    }

    static List<String> strings(JsonNode node) {
        return node.isArray() ? node.values().stream().map(JsonNode::asString).toList() : List.of(node.asString(""));
    }

    /** entrypoint and command of a one-shot container, as one text. */
    static String commandText(JsonNode service) {
        assertThat(service.isObject()).as("service in docker-compose.yml").isTrue();
        return String.join(
                "\n",
                Stream.concat(strings(service.path("entrypoint")).stream(), strings(service.path("command")).stream())
                        .toList());
    }

    /** The id of MinIO's enabled Kafka notification target (MINIO_NOTIFY_KAFKA_ENABLE_&lt;ID&gt;=on). */
    static String minioKafkaTarget() {
        List<String> ids = environment(services.path("minio")).entrySet().stream()
                .filter(e -> e.getKey().startsWith("MINIO_NOTIFY_KAFKA_ENABLE_")
                        && e.getValue().equals("on"))
                .map(e -> e.getKey().substring("MINIO_NOTIFY_KAFKA_ENABLE_".length()))
                .toList();
        assertThat(ids)
                .as("enabled Kafka notification targets of the minio service")
                .hasSize(1);
        return ids.getFirst();
    }

    /** {@code mc event add <alias/bucket> <arn> [--event e] [--prefix p] ...}. */
    record MinioEventRule(String target, String arn, List<String> events, String prefix) {

        static MinioEventRule parse(String script) {
            String line = script.lines()
                    .filter(l -> l.contains("mc event add"))
                    .findFirst()
                    .orElse(null);
            assertThat(line).as("minio-init runs 'mc event add'").isNotNull();
            List<String> tokens = Arrays.stream(line.substring(line.indexOf("mc event add") + 12)
                            .trim()
                            .split("\\s+"))
                    .map(t -> t.replaceAll("^[\"']|[\"']$", ""))
                    .toList();
            List<String> positional = new ArrayList<>();
            Map<String, String> options = new LinkedHashMap<>();
            for (int i = 0; i < tokens.size(); i++) {
                String token = tokens.get(i);
                if (Set.of("--event", "--prefix", "--suffix").contains(token)) {
                    options.put(token, tokens.get(++i));
                } else if (!token.startsWith("-")) {
                    positional.add(token);
                }
            }
            assertThat(positional)
                    .as("'mc event add' takes ALIAS/BUCKET and ARN")
                    .hasSize(2);
            return new MinioEventRule(
                    positional.get(0),
                    positional.get(1),
                    List.of(options.getOrDefault("--event", "put,delete,get").split(",")),
                    options.getOrDefault("--prefix", ""));
        }
    }

    // ------------------------------------------------------------------------------------------------ services

    /** A service's {@code <module>.yml}: its keys, flattened, and the {@code ${NAME}} placeholders its values read. */
    record AppConfig(String module, Map<String, JsonNode> flat, Set<String> relaxedNames, Set<String> placeholders) {

        static AppConfig read(String module) throws IOException {
            Map<String, JsonNode> flat = new LinkedHashMap<>();
            flatten("", readYaml(ROOT.resolve(module).resolve("src/main/resources/" + module + ".yml")), flat);
            Set<String> relaxed = new TreeSet<>();
            Set<String> placeholders = new TreeSet<>();
            flat.forEach((key, value) -> {
                relaxed.add(environmentName(key, ""));
                relaxed.add(environmentName(key, "_"));
                if (value.isString()) {
                    Matcher m = PLACEHOLDER.matcher(value.asString());
                    while (m.find()) {
                        placeholders.add(m.group(1));
                    }
                }
            });
            return new AppConfig(module, flat, relaxed, placeholders);
        }

        /**
         * The environment variable Spring Boot binds to a property: upper case, '.' and list indexes become '_', and
         * '-' is dropped (canonical form) or, in the legacy form Boot also accepts, becomes '_'.
         */
        static String environmentName(String key, String dash) {
            return key.replace("[", ".")
                    .replace("]", "")
                    .replace(".", "_")
                    .replace("-", dash)
                    .toUpperCase(Locale.ROOT);
        }

        static void flatten(String prefix, JsonNode node, Map<String, JsonNode> out) {
            if (node.isObject()) {
                for (Map.Entry<String, JsonNode> e : node.properties()) {
                    flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out);
                }
            } else if (node.isArray()) {
                out.put(prefix, node);
                for (int i = 0; i < node.size(); i++) {
                    flatten(prefix + "[" + i + "]", node.get(i), out);
                }
            } else {
                out.put(prefix, node);
            }
        }

        /** The scalar value of a key, or null. */
        String value(String key) {
            JsonNode node = flat.get(key);
            return node == null || node.isContainer() ? null : node.asString();
        }

        Matcher port(String key) {
            String port = value(key);
            assertThat(port).as("%s in %s.yml", key, module).isNotNull();
            Matcher m = PORT_DEFAULT.matcher(port);
            assertThat(m.matches())
                    .as("%s of %s.yml is a number or ${NAME:number}: %s", key, module, port)
                    .isTrue();
            return m;
        }

        /** The default of a port key ({@code server.port}, {@code management.server.port}). */
        int defaultPort(String key) {
            Matcher m = port(key);
            return Integer.parseInt(m.group(2) != null ? m.group(2) : m.group(3));
        }

        /** The placeholder a port key reads, or its relaxed environment name if it reads none. */
        String portPlaceholder(String key) {
            Matcher m = port(key);
            return m.group(1) != null ? m.group(1) : environmentName(key, "");
        }
    }

    static String projectVersion() throws IOException {
        String pom = Files.readString(ROOT.resolve("pom.xml"));
        Matcher m = Pattern.compile("<artifactId>infermesh-parent</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(pom);
        assertThat(m.find()).as("version of infermesh-parent in pom.xml").isTrue();
        return m.group(1).trim();
    }

    static JsonNode readYaml(Path file) throws IOException {
        assertThat(file).isRegularFile();
        return YAML.readTree(Files.readString(file));
    }

    /** Whether a Dockerfile COPY source (which may hold * and ? wildcards) names the given path. */
    static boolean globMatches(String glob, String path) {
        StringBuilder regex = new StringBuilder();
        for (char c : glob.replaceFirst("^\\./", "").toCharArray()) {
            switch (c) {
                case '*' -> regex.append("[^/]*");
                case '?' -> regex.append("[^/]");
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return path.matches(regex.toString());
    }

    // ------------------------------------------------------------------------------------------------ Dockerfile

    /** One Dockerfile instruction, continuation lines joined, comments dropped. */
    record Instruction(String keyword, String text, List<String> flags, List<String> args) {

        boolean is(String name) {
            return keyword.equals(name);
        }

        static List<Instruction> parse(Path dockerfile) throws IOException {
            List<Instruction> instructions = new ArrayList<>();
            StringBuilder current = new StringBuilder();
            for (String line : Files.readAllLines(dockerfile)) {
                String trimmed = line.strip();
                if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                    continue;
                }
                if (trimmed.endsWith("\\")) {
                    current.append(trimmed, 0, trimmed.length() - 1).append(' ');
                    continue;
                }
                current.append(trimmed);
                instructions.add(of(current.toString()));
                current.setLength(0);
            }
            if (!current.isEmpty()) {
                instructions.add(of(current.toString()));
            }
            return instructions;
        }

        static Instruction of(String line) {
            String[] words = line.split("\\s+", 2);
            String rest = words.length > 1 ? words[1].trim() : "";
            List<String> tokens = rest.startsWith("[") ? List.of(rest) : List.of(rest.split("\\s+"));
            List<String> flags = tokens.stream().filter(t -> t.startsWith("--")).toList();
            List<String> args = tokens.stream().filter(t -> !t.startsWith("--")).toList();
            return new Instruction(words[0].toUpperCase(Locale.ROOT), rest, flags, args);
        }
    }
}
