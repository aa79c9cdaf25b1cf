package io.infermesh.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The table a fault run prints and writes: one row per scenario, in Markdown and CSV, a stuck run said as such. */
class ReportTests {

    private static final List<Report.Row> ROWS =
            List.of(row("kill-router", Duration.ofMillis(7_300), 0), row("kill-worker", null, 2));

    @Test
    void theMarkdownTableHasOneRowPerScenarioAndSaysWhenAJobNeverEnded() {
        assertThat(Report.markdown(ROWS).lines())
                .containsExactly(
                        "| fault | jobs | succeeded | failed | lost | duplicated (same ce_id) | stuck | illegal order"
                                + " | time to recover | fault after |",
                        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
                        "| kill-router | 300 | 299 | 1 | 0 | 0 (0) | 0 | 0 | 7.3 s | 6.4 s |",
                        "| kill-worker | 300 | 299 | 1 | 0 | 2 (2) | 0 | 0 | never (stuck) | 6.4 s |");
    }

    @Test
    void theCsvHasTheSameValuesWithAnEmptyRecoveryForAStuckRun() {
        assertThat(Report.csv(ROWS).lines())
                .containsExactly(
                        "fault,jobs,succeeded,failed,lost,duplicated,duplicated_same_ce_id,stuck,illegal,recovery_s,"
                                + "fault_after_s",
                        "kill-router,300,299,1,0,0,0,0,0,7.3,6.4",
                        "kill-worker,300,299,1,0,2,2,0,0,,6.4");
    }

    private static Report.Row row(String fault, Duration recovery, int duplicated) {
        var verdict = new Checks.Verdict(fault, 300, 299, 1, 0, duplicated, duplicated, 0, 0, recovery, List.of());
        return new Report.Row(fault, "a fault", new ScenarioRun.Outcome(verdict, "", Duration.ofMillis(6_400)));
    }
}
