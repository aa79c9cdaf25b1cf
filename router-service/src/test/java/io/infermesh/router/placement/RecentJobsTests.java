package io.infermesh.router.placement;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RecentJobsTests {

    @Test
    void aJobIsNewOnceAndADuplicateAfterwards() {
        RecentJobs recent = new RecentJobs(10);
        assertThat(recent.firstTime("a")).isTrue();
        assertThat(recent.firstTime("a")).isFalse();
        assertThat(recent.firstTime("b")).isTrue();
    }

    @Test
    void theLeastRecentlySeenJobIsForgottenFirstWhenFull() {
        RecentJobs recent = new RecentJobs(2);
        recent.firstTime("a");
        recent.firstTime("b");
        recent.firstTime("a");
        recent.firstTime("c");
        assertThat(recent.firstTime("a")).as("seen recently, kept").isFalse();
        assertThat(recent.firstTime("b")).as("least recent, forgotten").isTrue();
    }

    @Test
    void aForgottenJobIsNewAgainSoThatAFailedPlacementIsRetried() {
        RecentJobs recent = new RecentJobs(10);
        recent.firstTime("a");
        recent.forget("a");
        assertThat(recent.firstTime("a")).isTrue();
    }

    @Test
    void aRetryIsTheNextAttemptSoItIsNewWhileADuplicateOfTheSameAttemptIsNot() {
        RecentJobs recent = new RecentJobs(10);
        assertThat(recent.firstTime("a", 1)).isTrue();
        assertThat(recent.firstTime("a", 1)).as("the same notification again").isFalse();
        assertThat(recent.firstTime("a", 2)).as("its owner's retry").isTrue();
        assertThat(recent.firstTime("a", 2)).as("the retry redelivered").isFalse();
        recent.forget("a", 2);
        assertThat(recent.firstTime("a", 2))
                .as("a failed placement of the retry is placed again")
                .isTrue();
        assertThat(recent.firstTime("a", 1)).isFalse();
    }
}
