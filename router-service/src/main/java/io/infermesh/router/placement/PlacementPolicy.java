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
 * Decides where a job runs, and says why. Plain logic: no Kafka, no AWS, no Spring; the placement simulation in this
 * module's tests drives this same class.
 *
 * <p>Every registered backend ({@link BackendModel}: the shipped {@link OnPremModel}, {@link LambdaModel},
 * {@link BatchModel}, and any added one, ADR 0023) estimates the expected time to completion and the expected cost
 * (see {@link #estimate}), ineligible when a hard limit, its configuration or its circuit breaker rules it out; then:
 * <ul>
 *   <li>fixed modes ({@code onprem}, {@code lambda}, {@code batch}, an added backend's id) take their backend when it
 *       is eligible, and reject the job otherwise;</li>
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

    private final List<BackendModel> backends;
    private final Estimates estimates;
    private final RunTimes runTimes;
    private final Capacity capacity;
    private final Availability availability;

    /** A policy over the three shipped backends, priced by {@code prices}. */
    public PlacementPolicy(
            PriceTable prices, Estimates estimates, RunTimes runTimes, Capacity capacity, Availability availability) {
        this(shipped(prices, estimates), estimates, runTimes, capacity, availability);
    }

    /**
     * A policy over the registered backends, in the order their estimates are shown (ADR 0023). Each id once; a
     * card's fixed mode names one of them, {@code lambda-batch} needs {@code lambda} and {@code batch}.
     */
    public PlacementPolicy(
            List<BackendModel> backends,
            Estimates estimates,
            RunTimes runTimes,
            Capacity capacity,
            Availability availability) {
        List<String> ids = backends.stream().map(BackendModel::id).toList();
        if (ids.stream().distinct().count() != ids.size()) {
            throw new IllegalArgumentException("two backends share an id: " + ids);
        }
        if (ids.contains("auto") || ids.contains("lambda-batch")) {
            // a card's mode names either a backend or a policy; these two are policies
            throw new IllegalArgumentException("a backend may not be called 'auto' or 'lambda-batch': " + ids);
        }
        this.backends = List.copyOf(backends);
        this.estimates = estimates;
        this.runTimes = runTimes;
        this.capacity = capacity;
        this.availability = availability;
    }

    /** The on-prem pool, Lambda and Batch, priced by {@code prices}. */
    public static List<BackendModel> shipped(PriceTable prices, Estimates estimates) {
        return List.of(
                new OnPremModel(prices, estimates),
                new LambdaModel(prices, estimates),
                new BatchModel(prices, estimates));
    }

    /** The registered backends' ids, in order. */
    public List<String> backendIds() {
        return backends.stream().map(BackendModel::id).toList();
    }

    /** The outcome of placing one job. */
    public sealed interface Decision {}

    /**
     * Run the job on {@code backend}.
     *
     * @param target the id of the backend placed on ({@link BackendModel#id()})
     * @param reason the decision in one sentence, shown to people in the RUNNABLE event
     * @param decision the full decision, with the alternatives
     * @param estimatedCostUsd the expected cost on {@code backend}
     * @param fallbackTargets other eligible backends' ids, best first, to try if handing the job to {@code target}
     *     fails
     */
    public record Placed(
            String target,
            String reason,
            PlacementDecision decision,
            double estimatedCostUsd,
            List<String> fallbackTargets)
            implements Decision {

        /** The shipped backend placed on; {@code null} for a backend added through {@link BackendModel}. */
        public Backend backend() {
            return shippedBackend(target);
        }

        /** The shipped backends among {@link #fallbackTargets()}. */
        public List<Backend> fallbacks() {
            return fallbackTargets.stream()
                    .map(PlacementPolicy::shippedBackend)
                    .filter(b -> b != null)
                    .toList();
        }
    }

    /** The job cannot run anywhere; it ends FAILED with this reason. */
    public record Rejected(FailureReason reason, String message, PlacementDecision decision) implements Decision {}

    /**
     * One backend's estimate.
     *
     * @param backend the shipped backend; {@code null} for one added through {@link BackendModel}
     * @param eligible whether it can take the job
     * @param costUsd expected cost
     * @param seconds expected completion, from now
     * @param runSeconds the expected run alone
     * @param note what the estimate rests on, or why the backend is not eligible
     * @param onlyByEstimate ineligible only because of an estimate (a run expected to exceed the function's limit),
     *     not a fact: a fixed mode still places there
     * @param id the backend's id ({@link BackendModel#id()})
     * @param name the backend as people read it
     */
    public record Estimate(
            Backend backend,
            boolean eligible,
            double costUsd,
            double seconds,
            double runSeconds,
            String note,
            boolean onlyByEstimate,
            String id,
            String name) {

        /** An eligible estimate of {@code backend}. */
        public static Estimate of(
                BackendModel backend, double costUsd, double seconds, double runSeconds, String note) {
            return new Estimate(
                    backend.wire().orElse(null),
                    true,
                    costUsd,
                    seconds,
                    runSeconds,
                    note,
                    false,
                    backend.id(),
                    backend.name());
        }

        Alternative alternative() {
            // a backend without a wire value is named in its note (ADR 0023)
            return new Alternative(
                    backend, eligible, round(costUsd), round(seconds), backend == null ? id + ": " + note : note);
        }

        /** The same estimate, ruled out by a fact (a limit, the card, availability). */
        public Estimate ineligible(String why) {
            return new Estimate(backend, false, costUsd, seconds, runSeconds, why, false, id, name);
        }

        /** The same estimate, ruled out only by an estimate (a fixed mode still places there). */
        public Estimate ineligibleByEstimate(String why) {
            return new Estimate(backend, false, costUsd, seconds, runSeconds, why, true, id, name);
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
        List<Estimate> all = estimates(model);
        Decision byCard = byCard(model, mode, all, deadline, remaining);
        return job.requestedBackend() == null
                ? byCard
                : requested(model, mode, wire(job.requestedBackend()), all, remaining, byCard);
    }

    private Decision byCard(ModelCard model, String mode, List<Estimate> all, Integer deadline, double remaining) {
        return switch (mode) {
            case "lambda-batch" -> lambdaBatch(model, all, deadline);
            case "auto" -> auto(model, all, deadline, remaining);
            default ->
                backendIds().contains(mode)
                        ? fixed(model, mode, mode, all, deadline)
                        : new Rejected(
                                FailureReason.BACKEND_UNAVAILABLE,
                                "model card of '" + model.name() + "' has placement mode '" + mode + "'; use "
                                        + String.join(", ", backendIds()) + ", lambda-batch or auto",
                                null);
        };
    }

    /**
     * The owner's request within the card's modes: the requested backend when the card allows it and it can take the
     * job, else the card's own decision, with a reason that says which and why.
     */
    private Decision requested(
            ModelCard model, String mode, String requested, List<Estimate> all, double remaining, Decision byCard) {
        List<String> allowed = allowedIds(mode);
        String asked = "requested " + requested;
        if (allowed.isEmpty()) {
            return byCard; // an unknown mode: the card's own rejection says what is wrong
        }
        if (!allowed.contains(requested)) {
            return annotated(
                    byCard, asked + "; the card of '" + model.name() + "' allows only " + String.join(" or ", allowed));
        }
        if (allowed.size() == 1) {
            return annotated(byCard, asked + ", which the card of '" + model.name() + "' fixes");
        }
        Estimate chosen = find(all, requested);
        String name = chosen.name();
        Double ceiling = "auto".equals(mode) && model.placement() != null
                ? model.placement().maxCostUsd()
                : null;
        String unavailable = !chosen.eligible()
                ? chosen.note()
                : ceiling != null && chosen.costUsd() > ceiling
                        ? "expected $" + usd(chosen.costUsd()) + " exceeds the cost ceiling of $" + usd(ceiling)
                        : null;
        if (unavailable != null) {
            return annotated(byCard, asked + ", but " + name + " cannot take it (" + unavailable + ")");
        }
        String reason = asked + ": " + name + ", which the card of '" + model.name() + "' (" + mode
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
        List<String> fallbacks = new ArrayList<>();
        if (byCard instanceof Placed placed) {
            fallbacks.add(placed.target());
            fallbacks.addAll(placed.fallbackTargets());
            fallbacks.remove(requested);
        }
        return new Placed(
                requested,
                reason,
                new PlacementDecision(
                        mode,
                        shippedBackend(requested),
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
                        p.target(),
                        reason,
                        withReason(p.decision(), reason),
                        p.estimatedCostUsd(),
                        p.fallbackTargets());
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

    /** The registered backends' ids a card's placement mode allows; empty for an unknown mode. */
    private List<String> allowedIds(String mode) {
        return switch (mode) {
            case "lambda-batch" -> List.of("lambda", "batch");
            case "auto" -> backendIds();
            default -> backendIds().contains(mode) ? List.of(mode) : List.of();
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
        List<Estimate> all = estimates(model);
        Estimate chosen = find(all, wire(backend));
        PlacementDecision decision = decision(model, mode(model), chosen.id(), why, null, all);
        if (!chosen.eligible()) {
            return new Rejected(
                    FailureReason.BACKEND_UNAVAILABLE,
                    why + ", but " + chosen.name() + " cannot take it: " + chosen.note(),
                    decision);
        }
        return new Placed(chosen.id(), why, decision, chosen.costUsd(), List.of());
    }

    private Decision fixed(ModelCard model, String mode, String backend, List<Estimate> all, Integer deadline) {
        Estimate chosen = find(all, backend);
        String name = chosen.name();
        if (!chosen.eligible() && chosen.onlyByEstimate()) {
            String reason = "model card of '" + model.name() + "' fixes placement to " + name + " (although "
                    + chosen.note() + ")";
            return new Placed(
                    backend,
                    reason,
                    decision(model, mode, backend, reason, deadline, all),
                    chosen.costUsd(),
                    List.of());
        }
        if (!chosen.eligible()) {
            String message = "model card of '" + model.name() + "' fixes placement to " + name
                    + ", which cannot take the job: " + chosen.note();
            return new Rejected(
                    FailureReason.BACKEND_UNAVAILABLE, message, decision(model, mode, backend, message, deadline, all));
        }
        String reason = "model card of '" + model.name() + "' fixes placement to " + name;
        return new Placed(
                backend, reason, decision(model, mode, backend, reason, deadline, all), chosen.costUsd(), List.of());
    }

    private Decision lambdaBatch(ModelCard model, List<Estimate> all, Integer deadline) {
        Estimate lambda = find(all, "lambda");
        Estimate batch = find(all, "batch");
        if (lambda.eligible()) {
            String reason = "lambda-batch: Lambda first; Batch if it times out or is throttled";
            return new Placed(
                    "lambda",
                    reason,
                    decision(model, "lambda-batch", "lambda", reason, deadline, all),
                    lambda.costUsd(),
                    batch.eligible() ? List.of("batch") : List.of());
        }
        if (batch.eligible()) {
            String reason = "lambda-batch: Lambda cannot take the job (" + lambda.note() + "), so Batch";
            return new Placed(
                    "batch",
                    reason,
                    decision(model, "lambda-batch", "batch", reason, deadline, all),
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
                        .append(judged.get(i).name())
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
        String reason = "auto: " + best.name() + " is the cheapest backend expected to finish before "
                + (deadline == null ? "any deadline" : "the deadline") + " ($" + usd(best.costUsd()) + ", "
                + secs(best.seconds()) + ")";
        List<String> fallbacks = ranked.stream().skip(1).map(Estimate::id).toList();
        return new Placed(
                best.id(),
                reason,
                decision(model, "auto", best.id(), reason, deadline, judged),
                best.costUsd(),
                fallbacks);
    }

    /**
     * One backend's expected completion time (from now) and cost for one job of {@code model}: the registered
     * {@link BackendModel}'s estimate (its price model and limits: {@link OnPremModel}, {@link LambdaModel},
     * {@link BatchModel}) under what the router knows now. The simulation bills attempts with this same method.
     */
    public Estimate estimate(ModelCard model, Backend backend) {
        return estimate(model, wire(backend));
    }

    /** {@link #estimate(ModelCard, Backend)} of the registered backend with this id. */
    public Estimate estimate(ModelCard model, String id) {
        return estimate(model, backend(id));
    }

    private Estimate estimate(ModelCard model, BackendModel backend) {
        double base = runTimes.baseline(model, estimates.defaultRunSeconds());
        return backend.estimate(
                model, new BackendModel.Conditions(base, runTimes, capacity, availability.unavailable(backend)));
    }

    private List<Estimate> estimates(ModelCard model) {
        return backends.stream().map(b -> estimate(model, b)).toList();
    }

    private BackendModel backend(String id) {
        return backends.stream()
                .filter(b -> b.id().equals(id))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no backend '" + id + "' is registered"));
    }

    /** The registered backend with this id as people read it ("AWS Lambda"). */
    public String name(String id) {
        return backend(id).name();
    }

    /** The shipped backend with this id, or {@code null} for a backend added through {@link BackendModel}. */
    public static Backend shippedBackend(String id) {
        for (Backend b : Backend.values()) {
            if (wire(b).equals(id)) {
                return b;
            }
        }
        return null;
    }

    private static PlacementDecision decision(
            ModelCard model, String mode, String chosen, String reason, Integer deadline, List<Estimate> all) {
        return new PlacementDecision(
                mode,
                chosen == null ? null : shippedBackend(chosen),
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

    private static Estimate find(List<Estimate> all, String id) {
        return all.stream()
                .filter(e -> e.id().equals(id))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no backend '" + id + "' is registered"));
    }

    private static double age(Instant requestedAt, Instant now) {
        return requestedAt == null
                ? 0
                : Math.max(0, Duration.between(requestedAt, now).toMillis() / 1000.0);
    }

    static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    static String secs(double seconds) {
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
