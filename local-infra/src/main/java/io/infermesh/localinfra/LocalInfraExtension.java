package io.infermesh.localinfra;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JUnit Jupiter extension sharing ONE {@link LocalInfra} (random ports, temporary data directories) across all test
 * classes of the JVM. Components start lazily, on first use. The bundle is registered in the root
 * {@link ExtensionContext} store and closed when the test run (the engine execution) ends; a JVM shutdown hook closes
 * it if no extension context ever did (e.g. {@link #infra()} called from code that runs outside the extension).
 *
 * <p>Use {@link WithLocalInfra} on the test class, or {@code @ExtendWith(LocalInfraExtension.class)}. Resolves
 * parameters of type {@link LocalInfra}, {@link LocalKafka}, {@link LocalS3} and {@link LocalPostgres} (the latter
 * three start their component). Spring tests read the endpoints from a {@code @DynamicPropertySource} method:
 *
 * <pre>{@code
 * @WithLocalInfra
 * @SpringBootTest
 * class IngestIntegrationTests {
 *     @DynamicPropertySource
 *     static void infra(DynamicPropertyRegistry registry) {
 *         LocalInfra infra = LocalInfraExtension.infra();
 *         registry.add("spring.kafka.bootstrap-servers", () -> infra.kafka().bootstrapServers());
 *         registry.add("spring.datasource.url", () -> infra.postgres().jdbcUrl());
 *     }
 * }
 * }</pre>
 */
public final class LocalInfraExtension implements BeforeAllCallback, ParameterResolver {

    private static final Logger log = LoggerFactory.getLogger(LocalInfraExtension.class);
    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(LocalInfraExtension.class);
    private static final Object LOCK = new Object();
    private static LocalInfra shared;
    private static Thread shutdownHook;

    /**
     * The JVM-wide shared bundle, created on first call (nothing starts until a component accessor is called). After
     * the test run closed it, the next call creates a fresh one.
     */
    public static LocalInfra infra() {
        synchronized (LOCK) {
            if (shared == null || shared.isClosed()) {
                shared = LocalInfra.create(LocalInfra.Settings.randomPorts());
                if (shutdownHook == null) {
                    shutdownHook = new Thread(LocalInfraExtension::closeShared, "infermesh-local-infra-tests-shutdown");
                    Runtime.getRuntime().addShutdownHook(shutdownHook);
                }
            }
            return shared;
        }
    }

    private static void closeShared() {
        LocalInfra infra;
        synchronized (LOCK) {
            infra = shared;
        }
        if (infra != null) {
            infra.close();
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        register(context);
    }

    private static LocalInfra register(ExtensionContext context) {
        LocalInfra infra = infra();
        // One handle per bundle in the root store: the root context ends with the test run and closes it.
        context.getRoot().getStore(NAMESPACE).computeIfAbsent(infra, SharedInfraHandle::new, SharedInfraHandle.class);
        return infra;
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Class<?> type = parameterContext.getParameter().getType();
        return type == LocalInfra.class
                || type == LocalKafka.class
                || type == LocalS3.class
                || type == LocalPostgres.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        LocalInfra infra = register(extensionContext);
        Class<?> type = parameterContext.getParameter().getType();
        try {
            if (type == LocalKafka.class) {
                return infra.kafka();
            }
            if (type == LocalS3.class) {
                return infra.s3();
            }
            if (type == LocalPostgres.class) {
                return infra.postgres();
            }
            return infra;
        } catch (RuntimeException e) {
            throw new ParameterResolutionException("Could not start " + type.getSimpleName(), e);
        }
    }

    /** Closes its bundle when the root extension context (the test run) is closed. */
    private static final class SharedInfraHandle implements AutoCloseable {
        private final LocalInfra infra;

        SharedInfraHandle(Object infra) {
            this.infra = (LocalInfra) infra;
        }

        @Override
        public void close() {
            log.debug("Test run finished: closing the shared {}", infra);
            infra.close();
        }
    }
}
