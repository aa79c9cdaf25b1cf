package io.infermesh.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The figures a throughput run reports: the sustained rate, not the best step; CPU per job by process group; the
 * raw engine's score as JMH wrote it.
 */
class ThroughputFiguresTests {

    @Test
    void theFigureIsWhatTheHighestSustainedStepAchievedNotTheBestOfAnyStep() {
        var steps = List.of(step(10, 10.0, true), step(20, 19.8, true), step(40, 31.5, false));

        assertThat(Throughput.sustainedRate(steps)).isEqualTo(19.8);
        assertThat(Throughput.sustainedRate(List.of(step(10, 7.0, false)))).isZero();
    }

    @Test
    void meshCpuPerJobLeavesOutPostgresAndTheLoadGenerator() {
        var step = new Throughput.Step(
                10,
                10,
                new Latencies(),
                Map.of(),
                Map.of(
                        "router-service",
                        0.5,
                        "worker-service",
                        1.5,
                        ProcessCpu.POSTGRES,
                        4.0,
                        ProcessCpu.LOAD_GENERATOR,
                        8.0),
                100,
                true);

        assertThat(Throughput.meshCpuMsPerJob(step)).isEqualTo(20.0);
        assertThat(step.cpuMsPerJob(ProcessCpu.POSTGRES)).isEqualTo(40.0);
    }

    @Test
    void theRawEngineScoreIsReadFromJmhsResult() {
        String json = """
                [{"benchmark":"io.infermesh.worker.engine.OtherBenchmarks.x","primaryMetric":{"score":1.0}},
                 {"benchmark":"io.infermesh.worker.cli.RawEngineBenchmarks.inputToAnswer","mode":"thrpt","threads":2,
                  "primaryMetric":{"score":31234.5,"scoreError":812.0,"scoreUnit":"ops/s"}}]""";

        assertThat(RawEngine.score(json)).isEqualTo(31234.5);
        assertThatThrownBy(() -> RawEngine.score("[]")).hasMessage("no RawEngine benchmark in the JMH result");
    }

    private static Throughput.Step step(int offered, double achieved, boolean sustained) {
        return new Throughput.Step(offered, achieved, new Latencies(), Map.of(), Map.of(), offered * 20, sustained);
    }
}
