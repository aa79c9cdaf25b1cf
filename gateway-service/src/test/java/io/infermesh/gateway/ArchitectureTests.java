package io.infermesh.gateway;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The gateway's shape, checked on its compiled classes: its packages form no cycle, it reaches other services only
 * through their HTTP APIs, contracts and the buckets (its tests too; the identity provider they start is
 * infrastructure, like Kafka), and only {@code storage} speaks the AWS SDK.
 */
class ArchitectureTests {

    private static final JavaClasses GATEWAY = new ClassFileImporter().importPackages("io.infermesh.gateway");

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.infermesh.gateway");

    @Test
    void packagesFormNoCycle() {
        slices().matching("io.infermesh.gateway.(*)..")
                .should()
                .beFreeOfCycles()
                .check(MAIN);
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
                        "io.infermesh.status..",
                        "io.infermesh.mesh..",
                        "io.infermesh.load..")
                .check(GATEWAY);
    }

    @Test
    void onlyTheStoragePackageSpeaksTheSdk() {
        noClasses()
                .that()
                .resideOutsideOfPackage("io.infermesh.gateway.storage..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("software.amazon..")
                .check(MAIN);
    }
}
