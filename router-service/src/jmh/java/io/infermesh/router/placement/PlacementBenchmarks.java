package io.infermesh.router.placement;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.JobRequested;
import io.infermesh.contracts.ModelCard;
import io.infermesh.contracts.ObjectRef;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The placement decision, {@link PlacementPolicy#place}, for an {@code auto} card with the on-prem pool, a Lambda
 * function and a Batch queue configured, default prices and estimates, and run times already observed on every
 * backend. Two situations: everything warm and the pool idle (the pool wins, at $0), and the pool so busy that it
 * would miss the deadline (Lambda wins; the pool's estimate is judged too slow, with a reason).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PlacementBenchmarks {

    /** When the object was stored; the router places it 40 ms later. */
    static final Instant REQUESTED_AT = Instant.parse("2026-11-22T19:23:51.123Z");
    static final Instant NOW = REQUESTED_AT.plusMillis(40);

    /** The pool idle, every backend warm. */
    static final Capacity WARM = Capacity.fixed(0, 0, 2, true);

    /** 400 jobs queued on 2 slots, 132 s of work ahead: a 66 s wait against a 60 s deadline. */
    static final Capacity BUSY = Capacity.fixed(400, 132, 2, true);

    private PlacementPolicy warm;
    private PlacementPolicy busy;
    private JobRequested job;
    private Optional<ModelCard> card;

    @Setup
    public void setUp() {
        RunTimes runTimes = runTimes();
        warm = policy(WARM, runTimes);
        busy = policy(BUSY, runTimes);
        job = job();
        card = Optional.of(card());
        // measure the decisions the names promise, not a rejection
        expect(warm, Backend.ONPREM);
        expect(busy, Backend.LAMBDA);
    }

    @Benchmark
    public PlacementPolicy.Decision autoWarm() {
        return warm.place(job, card, NOW);
    }

    @Benchmark
    public PlacementPolicy.Decision autoBusy() {
        return busy.place(job, card, NOW);
    }

    /** The digits classifier, placed by cost and deadline on any of the three backends. */
    static ModelCard card() {
        return new ModelCard("digits", "3", "handwritten digits, 28x28 grayscale", "model.onnx", null, null,
                new ModelCard.Resources(10_485_760L, 60, 1_024, 1, null, 0.3),
                new ModelCard.Placement("auto", 60, null, new ModelCard.LambdaTarget("infermesh-digits", "live"),
                        new ModelCard.BatchTarget("infermesh-cpu", "infermesh-digits:3")));
    }

    /** A job of an upload with an accented name, its id derived from bucket, key and eTag as ingest derives it. */
    static JobRequested job() {
        String key = "inbox/digits/alice/chiffre été n°3 (scan).png";
        String eTag = "9b2cf535f27731c974343645a3985328";
        ObjectRef input = new ObjectRef("infermesh", key, null, eTag, 48_213L, "image/png");
        String jobId = UUID.nameUUIDFromBytes(("s3://infermesh/" + key + "#" + eTag).getBytes(StandardCharsets.UTF_8))
                .toString();
        return new JobRequested(jobId, "digits", "alice", input, REQUESTED_AT, "minio-kafka");
    }

    /** A few runs seen on each backend, as the router learns them from SUCCEEDED events. */
    static RunTimes runTimes() {
        RunTimes runTimes = new RunTimes();
        for (double seconds : new double[] {0.21, 0.19, 0.24, 0.22}) {
            runTimes.observe("digits", Backend.ONPREM, seconds);
        }
        runTimes.observe("digits", Backend.LAMBDA, 0.35);
        runTimes.observe("digits", Backend.LAMBDA, 0.31);
        runTimes.observe("digits", Backend.BATCH, 0.28);
        return runTimes;
    }

    static PlacementPolicy policy(Capacity capacity, RunTimes runTimes) {
        return new PlacementPolicy(PriceTable.defaults(), Estimates.defaults(), runTimes, capacity, Availability.all());
    }

    private void expect(PlacementPolicy policy, Backend backend) {
        if (!(policy.place(job, card, NOW) instanceof PlacementPolicy.Placed placed) || placed.backend() != backend) {
            throw new IllegalStateException("expected a placement on " + backend + ", got "
                    + policy.place(job, card, NOW));
        }
    }
}
