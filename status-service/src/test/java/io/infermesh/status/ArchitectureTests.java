package io.infermesh.status;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * Status-service's shape, checked on its compiled classes: its packages form no cycle, it reaches other services
 * only through contracts and topics (its tests too; the identity provider they start is infrastructure, like Kafka),
 * the projection rule is plain Java (the store and the consumer around it are adapters), and nothing in it speaks the
 * AWS SDK: it never reads the buckets.
 */
class ArchitectureTests {

    private static final JavaClasses STATUS = new ClassFileImporter().importPackages("io.infermesh.status");

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.infermesh.status");

    @Test
    void packagesFormNoCycle() {
        slices().matching("io.infermesh.status.(*)..").should().beFreeOfCycles().check(MAIN);
    }

    @Test
    void noOtherServiceIsImported() {
        noClasses()
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.infermesh.ingest..",
                        "io.infermesh.router..",
                        "io.infermesh.worker..",
                        "io.infermesh.gateway..",
                        "io.infermesh.mesh..",
                        "io.infermesh.load..")
                .check(STATUS);
    }

    @Test
    void theProjectionRuleIsPlainJava() {
        noClasses()
                .that()
                .haveSimpleName("LifecycleProjection")
                .or()
                .haveSimpleName("Outcome")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "org.springframework..",
                        "org.apache.kafka..",
                        "software.amazon..",
                        "tools.jackson..",
                        "java.sql..")
                .check(MAIN);
    }

    @Test
    void nothingSpeaksTheSdk() {
        noClasses()
                .should()
                .dependOnClassesThat()
                .resideInAPackage("software.amazon..")
                .check(MAIN);
    }
}
