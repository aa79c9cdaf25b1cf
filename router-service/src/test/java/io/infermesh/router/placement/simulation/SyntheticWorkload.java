package io.infermesh.router.placement.simulation;

import io.infermesh.contracts.ModelCard;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * A seeded, bursty mix of four model kinds for {@code placement-sim}: Poisson background traffic plus bursts of 50
 * to 200 uploads within a few seconds. The same seed gives the same jobs, the same arrival times and the same
 * run-time draws, so every placement mode replays exactly the same work.
 *
 * @param models the four model cards (placement mode {@code auto}; the simulation overrides the mode per run)
 * @param jobs the jobs in arrival order
 * @param seconds the simulated period the arrivals span
 * @param bursts how many bursts the jobs include
 * @param seed the seed they came from
 */
record SyntheticWorkload(List<ModelCard> models, List<Job> jobs, double seconds, int bursts, long seed) {

    /** Spread of the run times around a model's mean: lognormal with this sigma (and mean 1). */
    static final double RUN_TIME_SIGMA = 0.2;
    /** A burst's uploads arrive within this many seconds. */
    static final double BURST_SPREAD_SECONDS = 5;
    /** Half the jobs come in bursts, half as background. */
    static final double BURST_SHARE = 0.5;

    static final String CLASSIFIER = "image-classifier";
    static final String LARGE_CNN = "large-cnn";
    static final String TWENTY_MINUTES = "twenty-minute-model";
    static final String GPU = "gpu-model";

    /** Background traffic: which model, how often. Bursts are folders of images: the classifier or the large CNN. */
    static final double[] BACKGROUND_WEIGHTS = {0.60, 0.25, 0.03, 0.12};

    static final double BURST_CLASSIFIER_SHARE = 0.6;

    /**
     * One upload.
     *
     * @param id the job id
     * @param card the model's card
     * @param arrivalSeconds when it was requested, in simulated seconds from the start
     * @param runFactor this job's run time as a multiple of the model's mean (the same on every backend)
     * @param burst whether it came in a burst
     */
    record Job(String id, ModelCard card, double arrivalSeconds, double runFactor, boolean burst) {

        /** One run on one CPU (on a GPU for a GPU model), before any CPU-share stretch. */
        double baseRunSeconds() {
            return card.resources().expectedSeconds() * runFactor;
        }

        int deadlineSeconds() {
            return card.placement().deadlineSeconds();
        }
    }

    /** The four model kinds, each with a Lambda function and a Batch queue so that every mode is possible. */
    static List<ModelCard> modelCards() {
        return List.of(
                card(CLASSIFIER, 0.3, 1_024, 0, 60, "infermesh-cpu"),
                card(LARGE_CNN, 15, 4_096, 0, 300, "infermesh-cpu"),
                card(TWENTY_MINUTES, 1_200, 4_096, 0, 7_200, "infermesh-cpu"),
                card(GPU, 30, 8_192, 1, 900, "infermesh-gpu"));
    }

    private static ModelCard card(String name, double seconds, int memoryMb, int gpus, int deadline, String queue) {
        return new ModelCard(
                name,
                "1",
                "synthetic " + name + " for placement-sim",
                "model.onnx",
                null,
                null,
                new ModelCard.Resources(10_000_000L, 3_600, memoryMb, 1, gpus, seconds),
                new ModelCard.Placement(
                        "auto",
                        deadline,
                        null,
                        new ModelCard.LambdaTarget("infermesh-" + name, null),
                        new ModelCard.BatchTarget(queue, name + ":1")));
    }

    /** {@code jobs} uploads over {@code seconds}, half of them in bursts spread evenly over the period. */
    static SyntheticWorkload generate(long seed, int jobs, double seconds) {
        if (jobs < 1 || seconds <= 0) {
            throw new IllegalArgumentException("a workload needs at least one job and a positive period, got " + jobs
                    + " jobs over " + seconds + " s");
        }
        Random random = new Random(seed);
        List<ModelCard> models = modelCards();
        List<Job> drafted = new ArrayList<>();
        List<Integer> bursts = new ArrayList<>();
        int burstBudget = (int) Math.round(jobs * BURST_SHARE);
        while (burstBudget > 0) {
            int size = 50 + random.nextInt(151);
            size = burstBudget - size < 50 ? burstBudget : size;
            bursts.add(size);
            burstBudget -= size;
        }
        double period = seconds / Math.max(1, bursts.size());
        for (int b = 0; b < bursts.size(); b++) {
            double start =
                    Math.min(seconds - BURST_SPREAD_SECONDS, period * (b + 0.5 + 0.6 * (random.nextDouble() - 0.5)));
            ModelCard card = random.nextDouble() < BURST_CLASSIFIER_SHARE ? models.get(0) : models.get(1);
            for (int i = 0; i < bursts.get(b); i++) {
                drafted.add(new Job(
                        null,
                        card,
                        Math.max(0, start + random.nextDouble() * BURST_SPREAD_SECONDS),
                        runFactor(random),
                        true));
            }
        }
        int background = jobs - drafted.size();
        double rate = background / seconds;
        double t = 0;
        for (int i = 0; i < background; i++) {
            t += -Math.log(1 - random.nextDouble()) / rate;
            drafted.add(new Job(
                    null,
                    models.get(pick(random, BACKGROUND_WEIGHTS)),
                    Math.min(t, seconds),
                    runFactor(random),
                    false));
        }
        drafted.sort(Comparator.comparingDouble(Job::arrivalSeconds));
        List<Job> ordered = new ArrayList<>(drafted.size());
        for (int i = 0; i < drafted.size(); i++) {
            Job d = drafted.get(i);
            ordered.add(new Job(
                    String.format(Locale.ROOT, "sim-%d-%05d", seed, i + 1),
                    d.card(),
                    d.arrivalSeconds(),
                    d.runFactor(),
                    d.burst()));
        }
        return new SyntheticWorkload(models, List.copyOf(ordered), seconds, bursts.size(), seed);
    }

    /** Lognormal with mean 1, so a model's card states its true mean run time. */
    private static double runFactor(Random random) {
        return Math.exp(RUN_TIME_SIGMA * random.nextGaussian() - RUN_TIME_SIGMA * RUN_TIME_SIGMA / 2);
    }

    private static int pick(Random random, double[] weights) {
        double r = random.nextDouble();
        for (int i = 0; i < weights.length - 1; i++) {
            r -= weights[i];
            if (r < 0) {
                return i;
            }
        }
        return weights.length - 1;
    }

    long count(String model) {
        return jobs.stream().filter(j -> j.card().name().equals(model)).count();
    }

    long burstJobs() {
        return jobs.stream().filter(Job::burst).count();
    }
}
