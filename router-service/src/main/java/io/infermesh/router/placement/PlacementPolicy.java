package io.infermesh.router.placement;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.FailureReason;
import io.infermesh.contracts.JobRequested;
import io.infermesh.contracts.ModelCard;
import io.infermesh.contracts.PlacementDecision;
import io.infermesh.contracts.PlacementDecision.Alternative;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Decides where a job runs, and says why. Plain logic: no Kafka, no AWS, no Spring; the simulation in
 * {@code load-tests} drives this same class.
 *
 * <p>For every backend it estimates the expected time to completion and the expected cost (see {@link #estimate}),
 * marks it ineligible when a hard limit, its configuration or its circuit breaker rules it out, and then:
 * <ul>
 *   <li>fixed modes ({@code onprem}, {@code lambda}, {@code batch}) take their backend when it is eligible, and
 *       reject the job otherwise;</li>
 *   <li>{@code lambda-batch} takes Lambda when eligible, else Batch;</li>
 *   <li>{@code auto} takes the cheapest eligible backend whose expected completion meets the deadline (ties: the
 *       fastest), within the card's cost ceiling; when none meets the deadline the job is rejected
 *       ({@link FailureReason#DEADLINE_UNREACHABLE}) rather than left waiting.</li>
 * </ul>
 * A backend the job's owner asked for ({@link JobRequested#requestedBackend()}, the gateway's placement choice) is
 * honoured only within the card's modes: the card's {@code auto} allows every backend, {@code lambda-batch} Lambda
 * and Batch, a fixed mode its own backend. An allowed, eligible backend (configured, its breaker closed, within the
 * hard limits and the card's cost ceiling) is taken even if it is expected to miss the deadline (the owner chose it;
 * the reason says so); otherwise the card decides and the reason says why the request was not followed.
 * Design: docs/adr/0010-placement-policy.md, docs/adr/0017-placement-choice-as-object-metadata.md.
 */
public final class PlacementPolicy {

    /** Lambda's hard limits. */
    public static final double LAMBDA_MAX_SECONDS = 900;

    public static final int LAMBDA_MAX_MEMORY_MB = 10_240;
    /** Lambda gives a function one full vCPU at this much memory, proportionally less below. */
    public static final int LAMBDA_MB_PER_VCPU = 1_769;

    private final PriceTable prices;
    private final Estimates estimates;
    private final RunTimes runTimes;
    private final Capacity capacity;
    private final Availability availability;

    public PlacementPolicy(
            PriceTable prices, Estimates estimates, RunTimes runTimes, Capacity capacity, Availability availability) {
        this.prices = prices;
        this.estimates = estimates;
        this.runTimes = runTimes;
        this.capacity = capacity;
        this.availability = availability;
    }

    /** The outcome of placing one job. */
    public sealed interface Decision {}

    /**
     * Run the job on {@code backend}.
     *
     * @param backend where
     * @param reason the decision in one sentence, shown to people in the RUNNABLE event
     * @param decision the full decision, with the alternatives
     * @param estimatedCostUsd the expected cost on {@code backend}
     * @param fallbacks other eligible backends, best first, to try if handing the job to {@code backend} fails
     */
    public record Placed(
            Backend backend,
            String reason,
            PlacementDecision decision,
            double estimatedCostUsd,
            List<Backend> fallbacks)
            implements Decision {}

    /** The job cannot run anywhere; it ends FAILED with this reason. */
    public record Rejected(FailureReason reason, String message, PlacementDecision decision) implements Decision {}

    /**
     * One backend's estimate.
     *
     * @param backend the backend
     * @param eligible whether it can take the job
     * @param costUsd expected cost
     * @param seconds expected completion, from now
     * @param runSeconds the expected run alone
     * @param note what the estimate rests on, or why the backend is not eligible
     * @param onlyByEstimate ineligible only because of an estimate (a run expected to exceed the function's limit),
     *     not a fact: a fixed mode still places there
     */
    public record Estimate(
            Backend backend,
            boolean eligible,
            double costUsd,
            double seconds,
            double runSeconds,
            String note,
            boolean onlyByEstimate) {

        Alternative alternative() {
            return new Alternative(backend, eligible, round(costUsd), round(seconds), note);
        }

        Estimate ineligible(String why) {
            return new Estimate(backend, false, costUsd, seconds, runSeconds, why, false);
        }

        Estimate ineligibleByEstimate(String why) {
            return new Estimate(backend, false, costUsd, seconds, runSeconds, why, true);
        }
    }

    /**
     * Places a requested job attempt: a new job (attempt 1) or a retry its owner asked for (a later attempt, whose
     * deadline runs from {@code now}: the owner asked again, and the first attempt's time is spent).
     */
    public Decision place(JobRequested job, Optional<ModelCard> card, Instant now) {
        if (card.isEmpty()) {
            return new Rejected(
                    FailureReason.UNKNOWN_MODEL,
                    "there is no model named '" + job.model()
                            + "'; the first folder under the inbox must name a model of the catalogue",
                    null);
        }
        ModelCard model = card.get();
        Optional<String> tooLarge = job.input() == null || job.input().size() == null
                ? Optional.empty()
                : model.inputTooLarge(job.input().size());
        if (tooLarge.isPresent()) {
            return new Rejected(FailureReason.INPUT_TOO_LARGE, tooLarge.get(), null);
        }
        String mode = mode(model);
        Integer deadline = model.placement() == null ? null : model.placement().deadlineSeconds();
        double age = job.attemptOrFirst() > 1 ? 0 : age(job.requestedAt(), now);
        double remaining = deadline == null ? Double.POSITIVE_INFINITY : deadline - age;
        List<Estimate> all = List.of(
                estimate(model, Backend.ONPREM), estimate(model, Backend.LAMBDA), estimate(model, Backend.BATCH));
        Decision byCard = byCard(model, mode, all, deadline, remaining);
        return job.requestedBackend() == null
                ? byCard
                : requested(model, mode, job.requestedBackend(), all, remaining, byCard);
    }

    private Decision byCard(ModelCard model, String mode, List<Estimate> all, Integer deadline, double remaining) {
        return switch (mode) {
            case "onprem" -> fixed(model, mode, Backend.ONPREM, all, deadline);
            case "lambda" -> fixed(model, mode, Backend.LAMBDA, all, deadline);
            case "batch" -> fixed(model, mode, Backend.BATCH, all, deadline);
            case "lambda-batch" -> lambdaBatch(model, all, deadline);
            case "auto" -> auto(model, all, deadline, remaining);
            default ->
                new Rejected(
                        FailureReason.BACKEND_UNAVAILABLE,
                        "model card of '" + model.name() + "' has placement mode '" + mode
                                + "'; use onprem, lambda, batch, lambda-batch or auto",
                        null);
        };
    }

    /**
     * The owner's request within the card's modes: the requested backend when the card allows it and it can take the
     * job, else the card's own decision, with a reason that says which and why.
     */
    private Decision requested(
            ModelCard model, String mode, Backend requested, List<Estimate> all, double remaining, Decision byCard) {
        List<Backend> allowed = allowed(mode);
        String asked = "requested " + wire(requested);
        if (allowed.isEmpty()) {
            return byCard; // an unknown mode: the card's own rejection says what is wrong
        }
        if (!allowed.contains(requested)) {
            return annotated(
                    byCard,
                    asked + "; the card of '" + model.name() + "' allows only "
                            + String.join(
                                    " or ",
                                    allowed.stream().map(PlacementPolicy::wire).toList()));
        }
        if (allowed.size() == 1) {
            return annotated(byCard, asked + ", which the card of '" + model.name() + "' fixes");
        }
        Estimate chosen = find(all, requested);
        Double ceiling = "auto".equals(mode) && model.placement() != null
                ? model.placement().maxCostUsd()
                : null;
        String unavailable = !chosen.eligible()
                ? chosen.note()
                : ceiling != null && chosen.costUsd() > ceiling
                        ? "expected $" + usd(chosen.costUsd()) + " exceeds the cost ceiling of $" + usd(ceiling)
                        : null;
        if (unavailable != null) {
            return annotated(byCard, asked + ", but " + name(requested) + " cannot take it (" + unavailable + ")");
        }
        String reason = asked + ": " + name(requested) + ", which the card of '" + model.name() + "' (" + mode
                + ") allows"
                + (chosen.seconds() > remaining
                        ? ", although it is expected to finish in " + secs(chosen.seconds()) + ", after the deadline ("
                                + secs(Math.max(0, remaining)) + " left)"
                        : "");
        PlacementDecision cardDecision = switch (byCard) {
            case Placed placed -> placed.decision();
            case Rejected rejected -> rejected.decision();
        };
        List<Alternative> alternatives = cardDecision != null
                ? cardDecision.alternatives()
                : all.stream().map(Estimate::alternative).toList();
        // when the requested backend refuses the job at dispatch, the card's own choice is the fallback
        List<Backend> fallbacks = new ArrayList<>();
        if (byCard instanceof Placed placed) {
            fallbacks.add(placed.backend());
            fallbacks.addAll(placed.fallbacks());
            fallbacks.remove(requested);
        }
        return new Placed(
                requested,
                reason,
                new PlacementDecision(
                        mode,
                        requested,
                        reason,
                        cardDecision == null ? null : cardDecision.deadlineSeconds(),
                        alternatives),
                chosen.costUsd(),
                List.copyOf(fallbacks));
    }

    /** The card's decision, its reason prefixed with what the owner asked for and why it was not followed. */
    private static Decision annotated(Decision byCard, String prefix) {
        return switch (byCard) {
            case Placed p -> {
                String reason = prefix + "; " + p.reason();
                yield new Placed(
                        p.backend(), reason, withReason(p.decision(), reason), p.estimatedCostUsd(), p.fallbacks());
            }
            case Rejected r -> {
                String message = prefix + "; " + r.message();
                yield new Rejected(r.reason(), message, withReason(r.decision(), message));
            }
        };
    }

    private static PlacementDecision withReason(PlacementDecision decision, String reason) {
        return decision == null
                ? null
                : new PlacementDecision(
                        decision.mode(),
                        decision.chosen(),
                        reason,
                        decision.deadlineSeconds(),
                        decision.alternatives());
    }

    /** The backends a card's placement mode allows an owner to ask for; empty for an unknown mode. */
    public static List<Backend> allowed(String mode) {
        return switch (mode) {
            case "onprem" -> List.of(Backend.ONPREM);
            case "lambda" -> List.of(Backend.LAMBDA);
            case "batch" -> List.of(Backend.BATCH);
            case "lambda-batch" -> List.of(Backend.LAMBDA, Backend.BATCH);
            case "auto" -> List.of(Backend.ONPREM, Backend.LAMBDA, Backend.BATCH);
            default -> List.of();
        };
    }

    /** A backend as it is written in cards, requests and metadata: {@code onprem}, {@code lambda}, {@code batch}. */
    public static String wire(Backend backend) {
        return backend.name().toLowerCase(Locale.ROOT);
    }

    /**
     * Places a later attempt on {@code backend}, as {@code lambda-batch} does after Lambda timed out or was
     * throttled: rejected only when that backend cannot take the job.
     */
    public Decision placeRetry(ModelCard model, Backend backend, String why) {
        List<Estimate> all = List.of(
                estimate(model, Backend.ONPREM), estimate(model, Backend.LAMBDA), estimate(model, Backend.BATCH));
        Estimate chosen = find(all, backend);
        PlacementDecision decision = decision(model, mode(model), backend, why, null, all);
        if (!chosen.eligible()) {
            return new Rejected(
                    FailureReason.BACKEND_UNAVAILABLE,
                    why + ", but " + name(backend) + " cannot take it: " + chosen.note(),
                    decision);
        }
        return new Placed(backend, why, decision, chosen.costUsd(), List.of());
    }

    private Decision fixed(ModelCard model, String mode, Backend backend, List<Estimate> all, Integer deadline) {
        Estimate chosen = find(all, backend);
        if (!chosen.eligible() && chosen.onlyByEstimate()) {
            String reason = "model card of '" + model.name() + "' fixes placement to " + name(backend) + " (although "
                    + chosen.note() + ")";
            return new Placed(
                    backend,
                    reason,
                    decision(model, mode, backend, reason, deadline, all),
                    chosen.costUsd(),
                    List.of());
        }
        if (!chosen.eligible()) {
            String message = "model card of '" + model.name() + "' fixes placement to " + name(backend)
                    + ", which cannot take the job: " + chosen.note();
            return new Rejected(
                    FailureReason.BACKEND_UNAVAILABLE, message, decision(model, mode, backend, message, deadline, all));
        }
        String reason = "model card of '" + model.name() + "' fixes placement to " + name(backend);
        return new Placed(
                backend, reason, decision(model, mode, backend, reason, deadline, all), chosen.costUsd(), List.of());
    }

    private Decision lambdaBatch(ModelCard model, List<Estimate> all, Integer deadline) {
        Estimate lambda = find(all, Backend.LAMBDA);
        Estimate batch = find(all, Backend.BATCH);
        if (lambda.eligible()) {
            String reason = "lambda-batch: Lambda first; Batch if it times out or is throttled";
            return new Placed(
                    Backend.LAMBDA,
                    reason,
                    decision(model, "lambda-batch", Backend.LAMBDA, reason, deadline, all),
                    lambda.costUsd(),
                    batch.eligible() ? List.of(Backend.BATCH) : List.of());
        }
        if (batch.eligible()) {
            String reason = "lambda-batch: Lambda cannot take the job (" + lambda.note() + "), so Batch";
            return new Placed(
                    Backend.BATCH,
                    reason,
                    decision(model, "lambda-batch", Backend.BATCH, reason, deadline, all),
                    batch.costUsd(),
                    List.of());
        }
        String message = "lambda-batch: neither Lambda (" + lambda.note() + ") nor Batch (" + batch.note()
                + ") can take the job";
        return new Rejected(
                FailureReason.BACKEND_UNAVAILABLE,
                message,
                decision(model, "lambda-batch", null, message, deadline, all));
    }

    private Decision auto(ModelCard model, List<Estimate> all, Integer deadline, double remaining) {
        Double ceiling = model.placement() == null ? null : model.placement().maxCostUsd();
        List<Estimate> judged = new ArrayList<>();
        boolean someOnlyTooSlow = false;
        for (Estimate e : all) {
            if (!e.eligible()) {
                judged.add(e);
            } else if (ceiling != null && e.costUsd() > ceiling) {
                judged.add(e.ineligible(
                        "expected $" + usd(e.costUsd()) + " exceeds the cost ceiling of $" + usd(ceiling)));
            } else if (e.seconds() > remaining) {
                someOnlyTooSlow = true;
                judged.add(e.ineligible("expected to finish in " + secs(e.seconds()) + ", after the deadline ("
                        + secs(Math.max(0, remaining)) + " left); " + e.note()));
            } else {
                judged.add(e);
            }
        }
        List<Estimate> ranked = judged.stream()
                .filter(Estimate::eligible)
                .sorted(Comparator.comparingDouble(Estimate::costUsd).thenComparingDouble(Estimate::seconds))
                .toList();
        if (ranked.isEmpty()) {
            StringBuilder why = new StringBuilder(
                    someOnlyTooSlow
                            ? "no backend can finish the job before its deadline of " + deadline + " s: "
                            : "no backend can take the job: ");
            for (int i = 0; i < judged.size(); i++) {
                why.append(i == 0 ? "" : "; ")
                        .append(name(judged.get(i).backend()))
                        .append(' ')
                        .append(judged.get(i).note());
            }
            String message = why.toString();
            return new Rejected(
                    someOnlyTooSlow ? FailureReason.DEADLINE_UNREACHABLE : FailureReason.BACKEND_UNAVAILABLE,
                    message,
                    decision(model, "auto", null, message, deadline, judged));
        }
        Estimate best = ranked.getFirst();
        String reason = "auto: " + name(best.backend()) + " is the cheapest backend expected to finish before "
                + (deadline == null ? "any deadline" : "the deadline") + " ($" + usd(best.costUsd()) + ", "
                + secs(best.seconds()) + ")";
        List<Backend> fallbacks = ranked.stream().skip(1).map(Estimate::backend).toList();
        return new Placed(
                best.backend(),
                reason,
                decision(model, "auto", best.backend(), reason, deadline, judged),
                best.costUsd(),
                fallbacks);
    }

    /**
     * One backend's expected completion time (from now) and cost for one job of {@code model}.
     * <ul>
     *   <li>on-prem: the run time, plus the wait for a slot when none is free (the expected work ahead, queued and
     *       running, divided by the slots), plus a cold start when the pool is cold (all from {@link Capacity});
     *       cost: run time x on-prem price;</li>
     *   <li>Lambda: the run time stretched by the function's CPU share ({@code memory / 1,769 MB}, at most one
     *       vCPU for a one-thread model), plus a cold start unless recently invoked; cost: billed milliseconds
     *       x the per-ms price scaled by memory, plus the request charge; a cold start's billed time is shared
     *       among the model's recent arrivals (they find the function warm after it);</li>
     *   <li>Batch: the start-up delay (cold or warm compute environment) plus the run time; cost: the instance
     *       seconds (at least the minimum billed) x the CPU or GPU instance price x instances.</li>
     * </ul>
     */
    public Estimate estimate(ModelCard model, Backend backend) {
        ModelCard.Resources r = model.resources();
        int gpus = r == null ? 0 : r.gpusOrZero();
        int cpus = r == null || r.cpus() == null ? 1 : Math.max(1, r.cpus());
        int memoryMb = r == null || r.memoryMb() == null ? 1_024 : r.memoryMb();
        double base = runTimes.baseline(model, estimates.defaultRunSeconds());
        Optional<String> down = availability.unavailable(backend);
        return switch (backend) {
            case ONPREM -> {
                double run = base;
                int slots = Math.max(1, capacity.onpremSlots(model.name()));
                int backlog = Math.max(0, capacity.onpremBacklog(model.name()));
                double work = Math.max(0, capacity.onpremWorkAheadSeconds(model.name()));
                double wait = backlog < slots ? 0 : work / slots;
                boolean warm = capacity.warm(model.name(), Backend.ONPREM);
                double cold =
                        warm ? 0 : capacity.onpremColdStartSeconds(model.name(), estimates.onpremColdStartSeconds());
                double seconds = wait + run + cold;
                double cost = run * prices.onpremUsdPerSlotSecond() * cpus;
                String note = "backlog " + backlog + " (" + secs(work) + " of work) on " + slots + " slots, run "
                        + secs(run) + (warm ? ", warm" : ", cold start " + secs(cold));
                Estimate e = new Estimate(backend, true, cost, seconds, run, note, false);
                if (gpus > 0) {
                    yield e.ineligible("the on-prem pool has no GPU and the model needs " + gpus);
                }
                yield down.map(e::ineligible).orElse(e);
            }
            case LAMBDA -> {
                double share = Math.min(1.0, (double) memoryMb / LAMBDA_MB_PER_VCPU);
                double run = runTimes.observed(model.name(), Backend.LAMBDA).orElse(base / share);
                boolean warm = capacity.warm(model.name(), Backend.LAMBDA);
                double cold = warm ? 0 : estimates.lambdaColdStartSeconds();
                double perMs = prices.lambdaUsdPerMsAt2048Mb() * memoryMb / 2048.0;
                int sharing = Math.max(1, capacity.recentArrivals(model.name()));
                double cost = Math.ceil(run * 1000) * perMs
                        + Math.ceil(cold * 1000) * perMs / sharing
                        + prices.lambdaUsdPerRequest();
                double limit = lambdaLimitSeconds(model);
                String note = memoryMb + " MB, run " + secs(run)
                        + (warm
                                ? ", warm"
                                : ", cold start " + secs(cold)
                                        + (sharing > 1 ? " shared by " + sharing + " recent jobs" : ""));
                Estimate e = new Estimate(backend, true, cost, run + cold, run, note, false);
                if (model.placement() == null
                        || model.placement().lambda() == null
                        || blank(model.placement().lambda().functionName())) {
                    yield e.ineligible("no Lambda function is configured in the model card");
                }
                if (gpus > 0) {
                    yield e.ineligible("Lambda has no GPU and the model needs " + gpus);
                }
                if (memoryMb > LAMBDA_MAX_MEMORY_MB) {
                    yield e.ineligible("the model needs " + memoryMb + " MB; Lambda offers at most "
                            + LAMBDA_MAX_MEMORY_MB + " MB");
                }
                if (down.isPresent()) {
                    yield e.ineligible(down.get());
                }
                if (run > limit) {
                    yield e.ineligibleByEstimate(
                            "a run takes about " + secs(run) + " there; the function is stopped" + " at " + secs(limit)
                                    + (limit == LAMBDA_MAX_SECONDS ? " (Lambda's 15-minute limit)" : ""));
                }
                yield e;
            }
            case BATCH -> {
                double run = runTimes.observed(model.name(), Backend.BATCH).orElse(base);
                boolean warm = capacity.warm(model.name(), Backend.BATCH);
                double start = warm ? estimates.batchWarmStartSeconds() : estimates.batchColdStartSeconds();
                double perSecond = gpus > 0
                        ? prices.batchGpuUsdPerInstanceSecond() * gpus
                        : prices.batchUsdPerInstanceSecond() * cpus;
                double cost = Math.max(prices.batchMinimumBilledSeconds(), run) * perSecond;
                String note = (gpus > 0 ? gpus + " GPU" : cpus + " vCPU") + ", start " + (warm ? "warm " : "cold ")
                        + secs(start) + ", run " + secs(run);
                Estimate e = new Estimate(backend, true, cost, start + run, run, note, false);
                if (model.placement() == null
                        || model.placement().batch() == null
                        || blank(model.placement().batch().jobQueue())
                        || blank(model.placement().batch().jobDefinition())) {
                    yield e.ineligible("no Batch job queue and job definition are configured in the model card");
                }
                yield down.map(e::ineligible).orElse(e);
            }
        };
    }

    private static PlacementDecision decision(
            ModelCard model, String mode, Backend chosen, String reason, Integer deadline, List<Estimate> all) {
        return new PlacementDecision(
                mode,
                chosen,
                reason,
                deadline,
                all.stream().map(Estimate::alternative).toList());
    }

    /** The longest a job of this model may run on Lambda: its {@code timeoutSeconds}, at most Lambda's 15 min. */
    public static double lambdaLimitSeconds(ModelCard model) {
        ModelCard.Resources r = model.resources();
        return r == null || r.timeoutSeconds() == null
                ? LAMBDA_MAX_SECONDS
                : Math.min(LAMBDA_MAX_SECONDS, r.timeoutSeconds());
    }

    /** The card's placement mode, lower case; {@code onprem} when it has none. */
    public static String mode(ModelCard model) {
        return model.placement() == null || model.placement().mode() == null
                ? "onprem"
                : model.placement().mode().toLowerCase(Locale.ROOT);
    }

    private static Estimate find(List<Estimate> all, Backend backend) {
        return all.stream().filter(e -> e.backend() == backend).findFirst().orElseThrow();
    }

    private static double age(Instant requestedAt, Instant now) {
        return requestedAt == null
                ? 0
                : Math.max(0, Duration.between(requestedAt, now).toMillis() / 1000.0);
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    /** A backend as people read it: "the on-prem pool", "AWS Lambda", "AWS Batch". */
    public static String name(Backend backend) {
        return switch (backend) {
            case ONPREM -> "the on-prem pool";
            case LAMBDA -> "AWS Lambda";
            case BATCH -> "AWS Batch";
        };
    }

    private static String secs(double seconds) {
        return seconds >= 100
                ? String.format(Locale.ROOT, "%.0f s", seconds)
                : String.format(Locale.ROOT, "%.2f s", seconds);
    }

    private static String usd(double usd) {
        return String.format(Locale.ROOT, "%.9f", usd).replaceAll("0+$", "").replaceAll("\\.$", "");
    }

    private static Double round(double value) {
        if (Double.isInfinite(value) || Double.isNaN(value)) {
            return null;
        }
        return Math.round(value * 1e12) / 1e12;
    }
}
