package io.infermesh.router.placement.simulation;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.JobRequested;
import io.infermesh.contracts.ModelCard;
import io.infermesh.router.placement.Availability;
import io.infermesh.router.placement.Capacity;
import io.infermesh.router.placement.Estimates;
import io.infermesh.router.placement.PlacementPolicy;
import io.infermesh.router.placement.PriceTable;
import io.infermesh.router.placement.RunTimes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;

/**
 * A discrete-event simulation, on a simulated clock, of one placement mode over a {@link SyntheticWorkload}: every job
 * is placed by the router's real {@link PlacementPolicy} at its arrival, then "runs" on a simulated on-prem pool,
 * Lambda or Batch. The simulation is also the policy's {@link Capacity} (backlog and warmth come from the simulated
 * state) and feeds each simulated run back into a {@link RunTimes}, as the router does from SUCCEEDED events.
 *
 * <p>The simulated world behaves as {@link Estimates} says (cold and warm start-up delays, warm windows) except
 * where the simulation is more detailed than the estimate: run times vary around the card's mean, the on-prem pool
 * is one FIFO queue of {@link Estimates#onpremSlots()} slots shared by all models, and a Batch job submitted while
 * the compute environment is still starting waits for it. What an attempt costs is what the policy itself would
 * estimate had it known the attempt's real duration and warmth ({@link #bill}): the price formulas are the router's,
 * stated once in {@link PlacementPolicy#estimate}.
 */
final class PlacementSimulation implements Capacity {

    /** The placement modes compared, {@code auto} first. */
    static final List<String> MODES = List.of("auto", "onprem", "lambda", "batch", "lambda-batch");

    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    private static final String BATCH_ENVIRONMENT = "\u0000batch";

    /** How a job ended. */
    enum Status {
        /** Ran to completion (maybe after its deadline). */
        SUCCEEDED,
        /** Stopped by Lambda's 15-minute limit and not retried elsewhere. */
        TIMED_OUT,
        /** The policy placed it nowhere. */
        REJECTED
    }

    /**
     * One job's simulated fate.
     *
     * @param job the job
     * @param status how it ended
     * @param completionSeconds from request to the end of its last attempt (NaN when rejected)
     * @param costUsd what all its attempts cost
     * @param attempts the backends its attempts ran on, in order
     * @param lambdaTimeouts how many of its attempts Lambda stopped at 15 minutes
     * @param estimatedSeconds the completion time the policy expected on the backend it chose first (NaN when
     *     rejected), to set beside {@code completionSeconds}
     * @param reason the policy's reason for the first placement, or for the rejection
     */
    record JobOutcome(
            SyntheticWorkload.Job job,
            Status status,
            double completionSeconds,
            double costUsd,
            List<Backend> attempts,
            int lambdaTimeouts,
            double estimatedSeconds,
            String reason) {

        boolean missedDeadline() {
            return status != Status.SUCCEEDED || completionSeconds > job.deadlineSeconds();
        }
    }

    /**
     * One mode's run over the whole workload.
     *
     * @param mode the placement mode every card was given
     * @param prices the price table the policy decided with and the costs were computed with
     * @param outcomes per job, in arrival order
     */
    record Run(String mode, PriceTable prices, List<JobOutcome> outcomes) {

        int jobs() {
            return outcomes.size();
        }

        long completed() {
            return outcomes.stream().filter(o -> o.status() == Status.SUCCEEDED).count();
        }

        /** Late, timed out or rejected. */
        long deadlineMisses() {
            return outcomes.stream().filter(JobOutcome::missedDeadline).count();
        }

        long rejected() {
            return outcomes.stream().filter(o -> o.status() == Status.REJECTED).count();
        }

        long lambdaTimeouts() {
            return outcomes.stream().mapToLong(JobOutcome::lambdaTimeouts).sum();
        }

        double costUsd() {
            return outcomes.stream().mapToDouble(JobOutcome::costUsd).sum();
        }

        /** Attempts placed on {@code backend} (a lambda-batch retry counts on both). */
        long placements(Backend backend) {
            return outcomes.stream()
                    .flatMap(o -> o.attempts().stream())
                    .filter(b -> b == backend)
                    .count();
        }

        /** Nearest-rank percentile of the completion times of the jobs that completed. */
        double completionPercentile(double quantile) {
            List<Double> sorted = outcomes.stream()
                    .filter(o -> o.status() == Status.SUCCEEDED)
                    .map(JobOutcome::completionSeconds)
                    .sorted()
                    .toList();
            if (sorted.isEmpty()) {
                return Double.NaN;
            }
            return sorted.get(Math.max(0, Math.min(sorted.size() - 1, (int) Math.ceil(quantile * sorted.size()) - 1)));
        }

        long deadlineMisses(String model) {
            return outcomes.stream()
                    .filter(o -> o.job().card().name().equals(model))
                    .filter(JobOutcome::missedDeadline)
                    .count();
        }
    }

    private final String mode;
    private final PriceTable prices;
    private final Estimates estimates;
    private final RunTimes runTimes = new RunTimes(() -> instant(this.now), Duration.ofHours(1));
    private final PlacementPolicy policy;
    private final Map<String, ModelCard> cards = new HashMap<>();

    private final PriorityQueue<Event> events =
            new PriorityQueue<>(Comparator.comparingDouble(Event::at).thenComparingLong(Event::sequence));
    private long sequence;
    private double now;

    private final ArrayDeque<Attempt> onpremQueue = new ArrayDeque<>();
    private final Map<Attempt, Double> onpremRunning = new LinkedHashMap<>();
    private final Map<String, Double> lastUse = new HashMap<>();
    private final Map<String, Integer> inUse = new HashMap<>();
    private double batchReadyAt = Double.NEGATIVE_INFINITY;
    private final List<JobOutcome> outcomes = new ArrayList<>();

    private final Map<String, ArrayDeque<Double>> arrivals = new HashMap<>();

    private PlacementSimulation(String mode, PriceTable prices, Estimates estimates) {
        this.mode = mode;
        this.prices = prices;
        this.estimates = estimates;
        this.policy = new PlacementPolicy(prices, estimates, runTimes, this, Availability.all());
    }

    /** Replays {@code workload} with every model's placement mode set to {@code mode}. */
    static Run run(SyntheticWorkload workload, String mode, PriceTable prices, Estimates estimates) {
        PlacementSimulation simulation = new PlacementSimulation(mode, prices, estimates);
        for (ModelCard card : workload.models()) {
            ModelCard.Placement p = card.placement();
            simulation.cards.put(
                    card.name(),
                    new ModelCard(
                            card.name(),
                            card.version(),
                            card.description(),
                            card.artifact(),
                            card.input(),
                            card.output(),
                            card.resources(),
                            new ModelCard.Placement(mode, p.deadlineSeconds(), p.maxCostUsd(), p.lambda(), p.batch())));
        }
        for (SyntheticWorkload.Job job : workload.jobs()) {
            simulation.at(job.arrivalSeconds(), () -> simulation.arrive(new JobState(job)));
        }
        while (!simulation.events.isEmpty()) {
            Event next = simulation.events.poll();
            simulation.now = next.at();
            next.action().run();
        }
        List<JobOutcome> outcomes = new ArrayList<>(simulation.outcomes);
        outcomes.sort(Comparator.comparingDouble(o -> o.job().arrivalSeconds()));
        return new Run(mode, prices, Collections.unmodifiableList(outcomes));
    }

    private record Event(double at, long sequence, Runnable action) {}

    /** A job on its way through the simulation. */
    private static final class JobState {
        final SyntheticWorkload.Job job;
        final List<Backend> attempts = new ArrayList<>();
        double costUsd;
        int lambdaTimeouts;
        double estimatedSeconds = Double.NaN;
        String reason;

        JobState(SyntheticWorkload.Job job) {
            this.job = job;
        }

        String model() {
            return job.card().name();
        }
    }

    private record Attempt(JobState state, int number) {}

    private void at(double time, Runnable action) {
        events.add(new Event(time, sequence++, action));
    }

    private void arrive(JobState state) {
        ModelCard card = cards.get(state.model());
        ArrayDeque<Double> times = arrivals.computeIfAbsent(state.model(), m -> new ArrayDeque<>());
        times.addLast(now);
        while (!times.isEmpty() && now - times.peekFirst() > estimates.lambdaWarmSeconds()) {
            times.pollFirst();
        }
        JobRequested request = new JobRequested(
                state.job.id(), card.name(), "placement-sim", null, instant(state.job.arrivalSeconds()), "simulation");
        switch (policy.place(request, Optional.of(card), instant(now))) {
            case PlacementPolicy.Placed placed -> {
                state.reason = placed.reason();
                state.estimatedSeconds = placed.decision().alternatives().stream()
                        .filter(a -> a.backend() == placed.backend())
                        .findFirst()
                        .map(a -> a.expectedSeconds() == null ? Double.NaN : a.expectedSeconds())
                        .orElse(Double.NaN);
                start(new Attempt(state, 1), placed.backend());
            }
            case PlacementPolicy.Rejected rejected -> {
                state.reason = rejected.message();
                finish(state, Status.REJECTED);
            }
        }
    }

    private void start(Attempt attempt, Backend backend) {
        attempt.state().attempts.add(backend);
        switch (backend) {
            case ONPREM -> {
                onpremQueue.add(attempt);
                startQueuedOnprem();
            }
            case LAMBDA -> startLambda(attempt);
            case BATCH -> startBatch(attempt);
        }
    }

    private void startQueuedOnprem() {
        while (onpremRunning.size() < estimates.onpremSlots() && !onpremQueue.isEmpty()) {
            Attempt attempt = onpremQueue.poll();
            JobState state = attempt.state();
            String key = key(state.model(), Backend.ONPREM);
            double load = warm(key, estimates.onpremIdleSeconds()) ? 0 : estimates.onpremColdStartSeconds();
            double run = state.job.baseRunSeconds();
            onpremRunning.put(attempt, now);
            begin(key);
            // the slot is held while the model loads too, so the load is charged like the run
            state.costUsd += bill(state.job.card(), Backend.ONPREM, load + run, false);
            at(now + load + run, () -> {
                onpremRunning.remove(attempt);
                end(key);
                runTimes.observe(state.model(), Backend.ONPREM, run);
                finish(state, Status.SUCCEEDED);
                startQueuedOnprem();
            });
        }
    }

    private void startLambda(Attempt attempt) {
        JobState state = attempt.state();
        ModelCard.Resources r = state.job.card().resources();
        String key = key(state.model(), Backend.LAMBDA);
        double cold = warm(key, estimates.lambdaWarmSeconds()) ? 0 : estimates.lambdaColdStartSeconds();
        double share = Math.min(1.0, (double) r.memoryMb() / PlacementPolicy.LAMBDA_MB_PER_VCPU);
        double run = state.job.baseRunSeconds() / share;
        boolean timesOut = run > PlacementPolicy.LAMBDA_MAX_SECONDS;
        double ran = Math.min(run, PlacementPolicy.LAMBDA_MAX_SECONDS);
        double billed = cold + ran;
        state.costUsd += bill(state.job.card(), Backend.LAMBDA, ran, cold > 0);
        begin(key);
        at(now + billed, () -> {
            end(key);
            if (!timesOut) {
                runTimes.observe(state.model(), Backend.LAMBDA, run);
                finish(state, Status.SUCCEEDED);
                return;
            }
            state.lambdaTimeouts++;
            runTimes.observeTimeout(state.model(), Backend.LAMBDA, PlacementPolicy.LAMBDA_MAX_SECONDS);
            String why = "attempt " + attempt.number() + " on AWS Lambda timed out";
            if (!"lambda-batch".equals(mode)) {
                finish(state, Status.TIMED_OUT);
                return;
            }
            ModelCard card = cards.get(state.model());
            switch (policy.placeRetry(card, Backend.BATCH, why + "; lambda-batch re-dispatches it to AWS Batch")) {
                case PlacementPolicy.Placed placed -> start(new Attempt(state, attempt.number() + 1), placed.backend());
                case PlacementPolicy.Rejected rejected -> {
                    state.reason = rejected.message();
                    finish(state, Status.TIMED_OUT);
                }
            }
        });
    }

    private void startBatch(Attempt attempt) {
        JobState state = attempt.state();
        double startsAt;
        if (!warm(BATCH_ENVIRONMENT, estimates.batchWarmSeconds())) {
            batchReadyAt = now + estimates.batchColdStartSeconds();
            startsAt = batchReadyAt;
        } else {
            // instances already up, or already being started for an earlier job: wait for them, at least the warm delay
            startsAt = Math.max(batchReadyAt, now + estimates.batchWarmStartSeconds());
        }
        double run = state.job.baseRunSeconds();
        state.costUsd += bill(state.job.card(), Backend.BATCH, run, false);
        begin(BATCH_ENVIRONMENT);
        at(startsAt + run, () -> {
            end(BATCH_ENVIRONMENT);
            runTimes.observe(state.model(), Backend.BATCH, run);
            finish(state, Status.SUCCEEDED);
        });
    }

    /**
     * The bill of one attempt that ran {@code runSeconds} on {@code backend} (for the pool, the seconds its slot was
     * held; for Lambda, the seconds billed after the cold start): the policy's own cost estimate for a job of that
     * model, asked with exactly that run time observed and that warmth, so that the price formulas are not restated
     * here. A cold Lambda start is the simulation's whole one to pay (one arrival), not shared as the policy expects.
     */
    private double bill(ModelCard card, Backend backend, double runSeconds, boolean cold) {
        RunTimes actual = new RunTimes();
        actual.observe(card.name(), backend, runSeconds);
        PlacementPolicy pricing = new PlacementPolicy(
                prices, estimates, actual, Capacity.fixed(0, 0, estimates.onpremSlots(), !cold), Availability.all());
        return pricing.estimate(card, backend).costUsd();
    }

    private void finish(JobState state, Status status) {
        double completion = status == Status.REJECTED ? Double.NaN : now - state.job.arrivalSeconds();
        outcomes.add(new JobOutcome(
                state.job,
                status,
                completion,
                state.costUsd,
                List.copyOf(state.attempts),
                state.lambdaTimeouts,
                state.estimatedSeconds,
                state.reason));
    }

    private void begin(String key) {
        inUse.merge(key, 1, Integer::sum);
        lastUse.put(key, now);
    }

    private void end(String key) {
        inUse.merge(key, -1, Integer::sum);
        lastUse.put(key, now);
    }

    /** In use now, or used (started or ended) within {@code windowSeconds}. */
    private boolean warm(String key, double windowSeconds) {
        if (inUse.getOrDefault(key, 0) > 0) {
            return true;
        }
        Double last = lastUse.get(key);
        return last != null && now - last <= windowSeconds;
    }

    /** One pool shared by every model: the jobs ahead of a new one are all of them, whatever their model. */
    @Override
    public int onpremBacklog(String model) {
        return onpremQueue.size() + onpremRunning.size();
    }

    /** Queued jobs' expected runs plus running jobs' expected remainders (expected, from {@link RunTimes}). */
    @Override
    public double onpremWorkAheadSeconds(String model) {
        double work = 0;
        for (Attempt queued : onpremQueue) {
            work += expectedRun(queued.state().model());
        }
        for (Map.Entry<Attempt, Double> running : onpremRunning.entrySet()) {
            work += Math.max(
                    0, running.getValue() + expectedRun(running.getKey().state().model()) - now);
        }
        return work;
    }

    @Override
    public int recentArrivals(String model) {
        ArrayDeque<Double> times = arrivals.get(model);
        return times == null
                ? 0
                : (int) times.stream()
                        .filter(t -> now - t <= estimates.lambdaWarmSeconds())
                        .count();
    }

    private double expectedRun(String model) {
        return Math.max(1e-3, runTimes.baseline(cards.get(model), estimates.defaultRunSeconds()));
    }

    @Override
    public int onpremSlots(String model) {
        return estimates.onpremSlots();
    }

    @Override
    public boolean warm(String model, Backend backend) {
        return switch (backend) {
            case ONPREM -> warm(key(model, backend), estimates.onpremIdleSeconds());
            case LAMBDA -> warm(key(model, backend), estimates.lambdaWarmSeconds());
            case BATCH -> warm(BATCH_ENVIRONMENT, estimates.batchWarmSeconds());
        };
    }

    private static String key(String model, Backend backend) {
        return backend == Backend.BATCH ? BATCH_ENVIRONMENT : model + "\u0000" + backend.name();
    }

    private static Instant instant(double seconds) {
        return START.plusNanos(Math.round(seconds * 1e9));
    }
}
