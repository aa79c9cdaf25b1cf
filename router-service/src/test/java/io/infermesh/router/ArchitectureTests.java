package io.infermesh.router;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The router's shape, checked on its compiled classes: its packages form no cycle, it reaches other services only
 * through contracts and topics (its tests too; the identity provider they start is infrastructure, like Kafka),
 * placement and the outcome memory are plain Java behind ports, and only {@code aws} speaks the AWS SDK.
 */
class ArchitectureTests {

    private static final JavaClasses ROUTER = new ClassFileImporter().importPackages("io.infermesh.router");

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.infermesh.router");

    @Test
    void packagesFormNoCycle() {
        slices().matching("io.infermesh.router.(*)..").should().beFreeOfCycles().check(MAIN);
    }

    @Test
    void noOtherServiceIsImported() {
        noClasses()
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.infermesh.ingest..",
                        "io.infermesh.worker..",
                        "io.infermesh.status..",
                        "io.infermesh.gateway..",
                        "io.infermesh.mesh..",
                        "io.infermesh.load..")
                .check(ROUTER);
    }

    @Test
    void placementAndOutcomeMemoryArePlainJava() {
        noClasses()
                .that()
                .resideInAPackage("io.infermesh.router.placement..")
                .or()
                .haveSimpleName("FinalOutcomes")
                .or()
                .haveSimpleName("Ledger")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "org.springframework..", "org.apache.kafka..", "software.amazon..", "tools.jackson..")
                .check(MAIN);
    }

    @Test
    void onlyTheAwsPackageSpeaksTheSdk() {
        noClasses()
                .that()
                .resideOutsideOfPackage("io.infermesh.router.aws..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("software.amazon..")
                .check(MAIN);
    }
}
