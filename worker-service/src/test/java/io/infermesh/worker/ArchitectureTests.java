package io.infermesh.worker;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The worker's shape, checked on its compiled classes: its packages form no cycle, it reaches other services only
 * through contracts and topics (its tests too; the identity provider they start is infrastructure, like Kafka), pool
 * sizing and the engine are plain Java (the Kafka consumer only applies their answers; the engine knows ONNX Runtime,
 * not Spring, Kafka or S3), and only {@code storage} speaks the AWS SDK.
 */
class ArchitectureTests {

    private static final JavaClasses WORKER = new ClassFileImporter().importPackages("io.infermesh.worker");

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.infermesh.worker");

    @Test
    void packagesFormNoCycle() {
        slices().matching("io.infermesh.worker.(*)..").should().beFreeOfCycles().check(MAIN);
    }

    @Test
    void noOtherServiceIsImported() {
        noClasses()
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.infermesh.ingest..",
                        "io.infermesh.router..",
                        "io.infermesh.status..",
                        "io.infermesh.gateway..",
                        "io.infermesh.mesh..",
                        "io.infermesh.load..")
                .check(WORKER);
    }

    @Test
    void poolSizingAndTheEngineArePlainJava() {
        noClasses()
                .that()
                .resideInAPackage("io.infermesh.worker.engine..")
                .or()
                .haveSimpleName("PoolSizing")
                .or()
                .haveSimpleName("ModelPool")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("org.springframework..", "org.apache.kafka..", "software.amazon..")
                .check(MAIN);
    }

    @Test
    void onlyTheStoragePackageSpeaksTheSdk() {
        noClasses()
                .that()
                .resideOutsideOfPackage("io.infermesh.worker.storage..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("software.amazon..")
                .check(MAIN);
    }
}
