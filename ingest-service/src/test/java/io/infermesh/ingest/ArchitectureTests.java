package io.infermesh.ingest;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * Ingest's shape, checked on its compiled classes: its packages form no cycle, it reaches other services only
 * through contracts and topics (its tests too; the identity provider they start is infrastructure, like Kafka), the
 * notification decoders and the job standings are plain Java behind ports (JSON in, facts out), and only {@code sqs}
 * speaks the AWS SDK.
 */
class ArchitectureTests {

    private static final JavaClasses INGEST = new ClassFileImporter().importPackages("io.infermesh.ingest");

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.infermesh.ingest");

    @Test
    void packagesFormNoCycle() {
        slices().matching("io.infermesh.ingest.(*)..").should().beFreeOfCycles().check(MAIN);
    }

    @Test
    void noOtherServiceIsImported() {
        noClasses()
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.infermesh.router..",
                        "io.infermesh.worker..",
                        "io.infermesh.status..",
                        "io.infermesh.gateway..",
                        "io.infermesh.mesh..",
                        "io.infermesh.load..")
                .check(INGEST);
    }

    @Test
    void notificationDecodersAndStandingsArePlainJava() {
        noClasses()
                .that()
                .resideInAPackage("io.infermesh.ingest.notification..")
                .or()
                .haveSimpleName("JobStandings")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("org.springframework..", "org.apache.kafka..", "software.amazon..")
                .check(MAIN);
    }

    @Test
    void onlyTheSqsPackageSpeaksTheSdk() {
        noClasses()
                .that()
                .resideOutsideOfPackage("io.infermesh.ingest.sqs..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("software.amazon..")
                .check(MAIN);
    }
}
