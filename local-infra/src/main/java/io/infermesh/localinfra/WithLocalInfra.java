package io.infermesh.localinfra;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives a test class the JVM-wide shared {@link LocalInfra} (random ports, temporary data), via
 * {@link LocalInfraExtension}: components start on first use, the bundle is closed when the test run ends.
 * Parameters of type {@link LocalInfra}, {@link LocalKafka}, {@link LocalS3} and {@link LocalPostgres} are resolved;
 * static code (e.g. a Spring {@code @DynamicPropertySource} method) uses {@link LocalInfraExtension#infra()}.
 */
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(LocalInfraExtension.class)
public @interface WithLocalInfra {}
