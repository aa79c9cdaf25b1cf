package io.infermesh.ingest.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.FailureReason;
import io.infermesh.ingest.notification.ObjectCreated;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class InboxTests {

    private final Inbox inbox = new Inbox(List.of("*/inbox/"), 1024);

    private static ObjectCreated object(String key, long size, String eTag) {
        return new ObjectCreated(
                "s3:ObjectCreated:Put",
                "infermesh",
                key,
                size,
                eTag,
                null,
                "0001",
                "image/png",
                Instant.parse("2026-11-22T10:00:00Z"));
    }

    @Test
    void anInboxUploadBecomesAJobNamingModelAndOwner() {
        var outcome = inbox.classify(object("inbox/digits/alice/scans/seven.png", 10, "e1"));
        assertThat(outcome).isInstanceOfSatisfying(Inbox.NewJob.class, job -> {
            assertThat(job.model()).isEqualTo("digits");
            assertThat(job.owner()).isEqualTo("alice");
            assertThat(job.input().key()).isEqualTo("inbox/digits/alice/scans/seven.png");
            assertThat(job.jobId()).isEqualTo(Inbox.jobId("infermesh", "inbox/digits/alice/scans/seven.png", "e1"));
        });
    }

    @Test
    void theSameObjectVersionIsTheSameJobAndANewVersionANewJob() {
        var first = (Inbox.NewJob) inbox.classify(object("inbox/digits/alice/a.png", 10, "e1"));
        var again = (Inbox.NewJob) inbox.classify(object("inbox/digits/alice/a.png", 10, "e1"));
        var overwritten = (Inbox.NewJob) inbox.classify(object("inbox/digits/alice/a.png", 10, "e2"));
        assertThat(again.jobId()).isEqualTo(first.jobId());
        assertThat(overwritten.jobId()).isNotEqualTo(first.jobId());
    }

    @Test
    void resultsAndOtherPrefixesNeverMakeJobs() {
        assertThat(inbox.classify(object("results/digits/alice/j/result.json", 10, "e")))
                .isEqualTo(new Inbox.Ignored("outside-inbox"));
        assertThat(inbox.classify(object("inbox/digits/alice/", 0, "e"))).isEqualTo(new Inbox.Ignored("folder"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "inbox/digits/alice",
                "inbox/digits/../etc/passwd",
                "inbox/Digits/alice/a.png",
                "inbox/digits/al ice/a.png",
                "inbox/digits/alice/a\u0007.png"
            })
    void anInvalidKeyMakesAJobThatFailsAtOnceWithAReason(String key) {
        assertThat(inbox.classify(object(key, 10, "e"))).isInstanceOfSatisfying(Inbox.RejectedJob.class, job -> {
            assertThat(job.reason()).isEqualTo(FailureReason.INVALID_KEY);
            assertThat(job.message()).isNotBlank();
        });
    }

    @Test
    void anOverLongKeyIsRejected() {
        String key = "inbox/digits/alice/" + "x".repeat(1100) + ".png";
        assertThat(inbox.classify(object(key, 10, "e")))
                .isInstanceOfSatisfying(
                        Inbox.RejectedJob.class,
                        job -> assertThat(job.message()).contains("longer than 1024 bytes"));
    }

    private static ObjectCreated withPlacement(String key, String name, String value) {
        return object(key, 10, "e").withUserMetadata(value == null ? Map.of() : Map.of(name, value));
    }

    @ParameterizedTest(name = "{0}={1} -> {2}")
    @CsvSource(
            nullValues = "none",
            value = {
                "X-Amz-Meta-Infermesh-Placement, onprem, ONPREM",
                "X-Amz-Meta-Infermesh-Placement, lambda, LAMBDA",
                "X-Amz-Meta-Infermesh-Placement, batch, BATCH",
                "x-amz-meta-infermesh-placement, Batch, BATCH",
                "infermesh-placement, lambda, LAMBDA",
                "X-Amz-Meta-Infermesh-Placement, auto, none",
                "X-Amz-Meta-Infermesh-Placement, '', none",
                "X-Amz-Meta-Infermesh-Placement, none, none",
                "X-Amz-Meta-Other, lambda, none"
            })
    void theOwnersPlacementChoiceTravelsWithTheJob(String name, String value, Backend expected) {
        assertThat(inbox.classify(withPlacement("inbox/digits/alice/a.png", name, value)))
                .isInstanceOfSatisfying(
                        Inbox.NewJob.class,
                        job -> assertThat(job.requestedBackend()).isEqualTo(expected));
        assertThat(inbox.classify(object("inbox/digits/alice/a.png", 10, "e")))
                .as("a notification without metadata: the card decides")
                .isInstanceOfSatisfying(
                        Inbox.NewJob.class,
                        job -> assertThat(job.requestedBackend()).isNull());
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpu", "on-prem", "lambda,batch", "cheapest"})
    void anUnknownPlacementMakesAJobThatFailsAtOnceNamingTheLegalValues(String value) {
        assertThat(inbox.classify(withPlacement("inbox/digits/alice/a.png", "X-Amz-Meta-Infermesh-Placement", value)))
                .isInstanceOfSatisfying(Inbox.RejectedJob.class, job -> {
                    assertThat(job.reason()).isEqualTo(FailureReason.INVALID_INPUT);
                    assertThat(job.message())
                            .contains("'" + value + "'")
                            .contains("x-amz-meta-infermesh-placement")
                            .contains("auto, onprem, lambda, batch");
                    assertThat(job.model()).isEqualTo("digits");
                    assertThat(job.owner()).isEqualTo("alice");
                });
    }

    @Test
    void aLongUnknownPlacementIsQuotedOnlyInPart() {
        String value = "x".repeat(2000);
        assertThat(inbox.classify(withPlacement("inbox/digits/alice/a.png", "X-Amz-Meta-Infermesh-Placement", value)))
                .isInstanceOfSatisfying(
                        Inbox.RejectedJob.class,
                        job -> assertThat(job.message())
                                .contains("'" + "x".repeat(64) + "…'")
                                .hasSizeLessThan(300));
    }

    @Test
    void aBadKeyIsReportedBeforeABadPlacement() {
        assertThat(inbox.classify(withPlacement("inbox/digits/alice", "X-Amz-Meta-Infermesh-Placement", "gpu")))
                .isInstanceOfSatisfying(
                        Inbox.RejectedJob.class, job -> assertThat(job.reason()).isEqualTo(FailureReason.INVALID_KEY));
    }
}
