package io.infermesh.router.placement.simulation;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.ModelCard;
import io.infermesh.router.placement.Estimates;
import io.infermesh.router.placement.PriceTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Issue #4's proof of the policy: a mixed, bursty synthetic workload replayed through the router's real placement
 * policy in a discrete-event simulation (no mesh, no Kafka, no AWS), once per placement mode and once per on-prem
 * price; cost and deadline misses of {@code auto} against each fixed mode.
 *
 * <p>{@code main} takes {@code --jobs=2000 --seed=42 --hours=2 --out=DIR} (as one argument or several) and writes
 * {@code summary.md}, {@code data.csv}, {@code by-model.csv} and {@code jobs.csv} to {@code DIR/<date-time>/}; the
 * module's {@code exec:exec@placement-sim} runs it (README, "Benchmarks").
 */
final class PlacementSim {

    /**
     * One on-prem price the comparison runs with.
     *
     * @param name how the report names it
     * @param prices the whole price table
     */
    record PriceSetting(String name, PriceTable prices) {}

    static final List<PriceSetting> PRICE_SETTINGS = List.of(
            new PriceSetting(
                    "on-prem at $0 per slot-second (default price table: capacity already paid for)",
                    PriceTable.defaults()),
            new PriceSetting(
                    String.format(
                            Locale.ROOT,
                            "on-prem at the seed paper's total cost of ownership, " + "$%.7f per slot-second",
                            PriceTable.PAPER_ONPREM_TCO_USD_PER_SLOT_SECOND),
                    PriceTable.defaults().withOnpremUsdPerSlotSecond(PriceTable.PAPER_ONPREM_TCO_USD_PER_SLOT_SECOND)));

    /**
     * Every mode under one price setting.
     *
     * @param setting the prices
     * @param runs one per mode, in {@link PlacementSimulation#MODES} order
     */
    record Comparison(PriceSetting setting, List<PlacementSimulation.Run> runs) {

        PlacementSimulation.Run run(String mode) {
            return runs.stream().filter(r -> r.mode().equals(mode)).findFirst().orElseThrow();
        }
    }

    private PlacementSim() {}

    /** Every mode under every price setting, over one workload. */
    static List<Comparison> compare(SyntheticWorkload workload, Estimates estimates) {
        List<Comparison> comparisons = new ArrayList<>();
        for (PriceSetting setting : PRICE_SETTINGS) {
            List<PlacementSimulation.Run> runs = new ArrayList<>();
            for (String mode : PlacementSimulation.MODES) {
                runs.add(PlacementSimulation.run(workload, mode, setting.prices(), estimates));
            }
            comparisons.add(new Comparison(setting, List.copyOf(runs)));
        }
        return comparisons;
    }

    public static void main(String[] args) {
        // -Dinfermesh.args="--jobs=400 --seed=7" arrives through Maven as one argument; split it
        Map<String, String> options = new HashMap<>();
        for (String arg : String.join(" ", args).trim().split("\\s+")) {
            if (arg.isEmpty()) {
                continue;
            }
            if (!arg.startsWith("--") || !arg.contains("=")) {
                throw new IllegalArgumentException("options are --name=value (jobs, seed, hours, out), got " + arg);
            }
            options.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
        }
        long started = System.nanoTime();
        int seed = Integer.parseInt(options.getOrDefault("seed", "42"));
        int jobs = Integer.parseInt(options.getOrDefault("jobs", "2000"));
        double hours = Double.parseDouble(options.getOrDefault("hours", "2"));
        Estimates estimates = Estimates.defaults();
        SyntheticWorkload workload = SyntheticWorkload.generate(seed, jobs, hours * 3600);
        List<Comparison> comparisons = compare(workload, estimates);
        double elapsed = (System.nanoTime() - started) / 1e9;

        String summary = summary(workload, estimates, comparisons);
        Path dir = Path.of(options.getOrDefault("out", "target/placement-sim"))
                .resolve(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm-ss")));
        write(dir, "summary.md", summary);
        write(dir, "data.csv", csv(comparisons));
        write(dir, "by-model.csv", byModelCsv(workload, comparisons));
        write(dir, "jobs.csv", jobsCsv(comparisons));
        System.out.print(summary);
        System.out.printf(
                Locale.ROOT,
                "simulated %d runs of %d jobs in %.2f s%n",
                comparisons.size() * PlacementSimulation.MODES.size(),
                workload.jobs().size(),
                elapsed);
        System.out.println("report: " + dir.toAbsolutePath());
    }

    private static void write(Path dir, String file, String content) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(file), content);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(file), e);
        }
    }

    static String summary(SyntheticWorkload workload, Estimates estimates, List<Comparison> comparisons) {
        StringBuilder md = new StringBuilder();
        md.append("# placement-sim: the placement policy on a simulated workload\n\n");
        md.append("**Simulated, not measured**: the router's real `PlacementPolicy` places every job; the backends, "
                + "their delays and their bills are a model (assumptions below).\n\n");
        md.append(String.format(
                Locale.ROOT,
                "Workload: %d jobs over %.1f h, seed %d: %d in %d bursts, %d background.",
                workload.jobs().size(),
                workload.seconds() / 3600,
                workload.seed(),
                workload.burstJobs(),
                workload.bursts(),
                workload.jobs().size() - workload.burstJobs()));
        md.append(" Per model: ");
        List<String> perModel = new ArrayList<>();
        for (ModelCard card : workload.models()) {
            perModel.add(String.format(
                    Locale.ROOT,
                    "%s %d (mean %s, %d MB%s, deadline %d s)",
                    card.name(),
                    workload.count(card.name()),
                    seconds(card.resources().expectedSeconds()),
                    card.resources().memoryMb(),
                    card.resources().gpusOrZero() > 0 ? ", 1 GPU" : "",
                    card.placement().deadlineSeconds()));
        }
        md.append(String.join("; ", perModel)).append(".\n\n");
        for (Comparison c : comparisons) {
            md.append("## ").append(capitalised(c.setting().name())).append("\n\n");
            md.append("| policy | jobs | completed | deadline misses | misses % | rejected | total cost (USD) "
                    + "| cost per 1,000 jobs (USD) | p50 completion (s) | p95 completion (s) | on-prem | Lambda "
                    + "| Batch |\n");
            md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            for (PlacementSimulation.Run r : c.runs()) {
                md.append(String.format(
                        Locale.ROOT,
                        "| %s | %d | %d | %d | %.1f %% | %d | %.4f | %.4f | %.1f | %.1f | %d | %d | %d |%n",
                        r.mode(),
                        r.jobs(),
                        r.completed(),
                        r.deadlineMisses(),
                        100.0 * r.deadlineMisses() / r.jobs(),
                        r.rejected(),
                        r.costUsd(),
                        1000 * r.costUsd() / r.jobs(),
                        r.completionPercentile(0.5),
                        r.completionPercentile(0.95),
                        r.placements(Backend.ONPREM),
                        r.placements(Backend.LAMBDA),
                        r.placements(Backend.BATCH)));
            }
            md.append('\n');
            long timeouts = c.runs().stream()
                    .mapToLong(PlacementSimulation.Run::lambdaTimeouts)
                    .sum();
            md.append(
                    timeouts == 0
                            ? "No Lambda attempt hit the 15-minute limit in any mode.\n\n"
                            : "Lambda attempts stopped at 15 minutes: "
                                    + c.runs().stream()
                                            .filter(r -> r.lambdaTimeouts() > 0)
                                            .map(r -> r.mode() + " " + r.lambdaTimeouts())
                                            .toList()
                                    + ".\n\n");
        }
        md.append("## Deadline misses by model (late, timed out or rejected / jobs)\n\n");
        md.append("| price setting | policy |");
        workload.models().forEach(m -> md.append(' ').append(m.name()).append(" |"));
        md.append("\n|---|---|");
        workload.models().forEach(m -> md.append("---:|"));
        md.append('\n');
        for (int i = 0; i < comparisons.size(); i++) {
            for (PlacementSimulation.Run r : comparisons.get(i).runs()) {
                md.append("| ")
                        .append(i == 0 ? "on-prem $0" : "on-prem TCO")
                        .append(" | ")
                        .append(r.mode())
                        .append(" |");
                for (ModelCard m : workload.models()) {
                    md.append(' ')
                            .append(r.deadlineMisses(m.name()))
                            .append(" / ")
                            .append(workload.count(m.name()))
                            .append(" |");
                }
                md.append('\n');
            }
        }
        md.append("\n## Assumptions\n\n");
        assumptions(estimates).forEach(a -> md.append("- ").append(a).append('\n'));
        return md.toString();
    }

    /** The simulation's model of the world, stated in the report and in the README. */
    static List<String> assumptions(Estimates e) {
        return List.of(
                "Columns: a deadline miss is a job that completed after its deadline, timed out on Lambda or was "
                        + "rejected (rejected is also counted apart); completion times are from request to the end of "
                        + "the last attempt, over completed jobs only; placements count attempts, so a lambda-batch "
                        + "retry counts once on Lambda and once on Batch; cost per 1,000 jobs divides by all jobs, "
                        + "rejected included.",
                "Every job is placed at its arrival by the real `PlacementPolicy` with `Estimates.defaults()`, an "
                        + "always-available `Availability` and no cost ceiling; each model's card gets the mode under "
                        + "test (same deadline, same Lambda and Batch targets). `auto` decides with the price table "
                        + "of its section. Every attempt is billed what `PlacementPolicy.estimate` charges for its "
                        + "real run time and warmth (one arrival: a cold start is not shared), so the price formulas "
                        + "below are the policy's own.",
                String.format(
                        Locale.ROOT,
                        "Run times: each job draws one factor, lognormal with sigma %.1f and mean "
                                + "1, times its model's mean; the same draw is used whatever backend runs it. The cards' "
                                + "`expectedSeconds` are the true means. Every observed run (without start-up) is fed back "
                                + "into one `RunTimes` per simulation, as the router does from SUCCEEDED events.",
                        SyntheticWorkload.RUN_TIME_SIGMA),
                String.format(
                        Locale.ROOT,
                        "Workload: half the jobs come in bursts of 50 to 200 uploads (the last "
                                + "burst takes the remainder) within %.0f s, one burst per equal share of the period at a "
                                + "jittered time, each of the image classifier (60 %%) or the large CNN (40 %%); the other "
                                + "half is Poisson background: classifier 60 %%, large CNN 25 %%, 20-minute model 3 %%, GPU "
                                + "model 12 %%.",
                        SyntheticWorkload.BURST_SPREAD_SECONDS),
                String.format(
                        Locale.ROOT,
                        "On-prem: one FIFO pool of %d one-CPU slots shared by all models, no GPU. "
                                + "A model not run on the pool (started, running or ended) within %.0f s loads for %.0f s "
                                + "first, holding its slot. The policy is told the whole pool's backlog and its expected work "
                                + "ahead (queued jobs' expected runs plus running jobs' expected remainders, every model), as "
                                + "the router's ledger counts them; it expects a wait of work / slots when no slot is free. "
                                + "Cost: slot seconds (load + run) x the on-prem price x CPUs.",
                        e.onpremSlots(),
                        e.onpremIdleSeconds(),
                        e.onpremColdStartSeconds()),
                String.format(
                        Locale.ROOT,
                        "Lambda: unlimited concurrency; a cold start of %.0f s when the model's "
                                + "function has not run (started, running or ended) within %.0f s, else none: one environment "
                                + "warm means all are, which is optimistic for bursts. Run time = base / min(1, memory / "
                                + "1,769 MB). A run longer than 900 s stops at 900 s: FAILED in `lambda` (and `auto`), "
                                + "re-placed on Batch as attempt 2 with `placeRetry` in `lambda-batch`, paying for both. "
                                + "Cost: (ceil(run in ms) + ceil(cold start in ms)) x the per-ms price scaled by memory + "
                                + "the request charge.",
                        e.lambdaColdStartSeconds(),
                        e.lambdaWarmSeconds()),
                String.format(
                        Locale.ROOT,
                        "Batch: elastic, one instance per job, one compute environment for all "
                                + "models (as the router's ledger keeps Batch warmth). Start-up %.0f s when no Batch job was "
                                + "in flight or ended within %.0f s, else %.0f s; a job submitted while instances are still "
                                + "starting waits for them. Cost: max(%.0f s, run) x the CPU or GPU instance-second price; "
                                + "start-up time and idle warm instances are not billed, as in the policy's estimate, which "
                                + "flatters Batch.",
                        e.batchColdStartSeconds(),
                        e.batchWarmSeconds(),
                        e.batchWarmStartSeconds(),
                        PriceTable.defaults().batchMinimumBilledSeconds()),
                "GPU model: only Batch has GPUs; its mean (30 s) is its run time on a GPU. The on-prem pool and Lambda "
                        + "reject it, so `onprem` and `lambda` reject every GPU job. `lambda` is the owner's fixed "
                        + "choice, so it places the 20-minute model there too, and Lambda stops the runs longer than "
                        + "15 minutes.",
                "No failures other than Lambda's time limit, no throttling, no network or queueing delays in the "
                        + "mesh itself: the router places each job the moment it arrives.");
    }

    static String csv(List<Comparison> comparisons) {
        StringBuilder csv = new StringBuilder("onprem_usd_per_slot_second,policy,jobs,completed,deadline_misses,"
                + "miss_pct,rejected,lambda_timeouts,total_cost_usd,cost_per_1000_jobs_usd,p50_completion_s,"
                + "p95_completion_s,onprem_placements,lambda_placements,batch_placements\n");
        for (Comparison c : comparisons) {
            for (PlacementSimulation.Run r : c.runs()) {
                csv.append(String.format(
                        Locale.ROOT,
                        "%.10f,%s,%d,%d,%d,%.3f,%d,%d,%.6f,%.6f,%.3f,%.3f,%d,%d,%d%n",
                        c.setting().prices().onpremUsdPerSlotSecond(),
                        r.mode(),
                        r.jobs(),
                        r.completed(),
                        r.deadlineMisses(),
                        100.0 * r.deadlineMisses() / r.jobs(),
                        r.rejected(),
                        r.lambdaTimeouts(),
                        r.costUsd(),
                        1000 * r.costUsd() / r.jobs(),
                        r.completionPercentile(0.5),
                        r.completionPercentile(0.95),
                        r.placements(Backend.ONPREM),
                        r.placements(Backend.LAMBDA),
                        r.placements(Backend.BATCH)));
            }
        }
        return csv.toString();
    }

    static String byModelCsv(SyntheticWorkload workload, List<Comparison> comparisons) {
        StringBuilder csv = new StringBuilder(
                "onprem_usd_per_slot_second,policy,model,jobs,deadline_misses," + "rejected,cost_usd\n");
        for (Comparison c : comparisons) {
            for (PlacementSimulation.Run r : c.runs()) {
                for (ModelCard m : workload.models()) {
                    var mine = r.outcomes().stream()
                            .filter(o -> o.job().card().name().equals(m.name()))
                            .toList();
                    csv.append(String.format(
                            Locale.ROOT,
                            "%.10f,%s,%s,%d,%d,%d,%.6f%n",
                            c.setting().prices().onpremUsdPerSlotSecond(),
                            r.mode(),
                            m.name(),
                            mine.size(),
                            mine.stream()
                                    .filter(PlacementSimulation.JobOutcome::missedDeadline)
                                    .count(),
                            mine.stream()
                                    .filter(o -> o.status() == PlacementSimulation.Status.REJECTED)
                                    .count(),
                            mine.stream()
                                    .mapToDouble(PlacementSimulation.JobOutcome::costUsd)
                                    .sum()));
                }
            }
        }
        return csv.toString();
    }

    /** Every job of every run: where it went, what the policy expected and what happened. */
    static String jobsCsv(List<Comparison> comparisons) {
        StringBuilder csv = new StringBuilder("onprem_usd_per_slot_second,policy,job,model,arrival_s,deadline_s,"
                + "backends,status,estimated_s,completion_s,missed_deadline,cost_usd\n");
        for (Comparison c : comparisons) {
            for (PlacementSimulation.Run r : c.runs()) {
                for (PlacementSimulation.JobOutcome o : r.outcomes()) {
                    csv.append(String.format(
                            Locale.ROOT,
                            "%.10f,%s,%s,%s,%.3f,%d,%s,%s,%s,%s,%b,%.9f%n",
                            c.setting().prices().onpremUsdPerSlotSecond(),
                            r.mode(),
                            o.job().id(),
                            o.job().card().name(),
                            o.job().arrivalSeconds(),
                            o.job().deadlineSeconds(),
                            String.join(
                                    "+",
                                    o.attempts().stream()
                                            .map(b -> b.name().toLowerCase(Locale.ROOT))
                                            .toList()),
                            o.status(),
                            number(o.estimatedSeconds()),
                            number(o.completionSeconds()),
                            o.missedDeadline(),
                            o.costUsd()));
                }
            }
        }
        return csv.toString();
    }

    private static String number(double value) {
        return Double.isNaN(value) ? "" : String.format(Locale.ROOT, "%.3f", value);
    }

    private static String seconds(double s) {
        return s < 1 ? String.format(Locale.ROOT, "%.1f s", s) : String.format(Locale.ROOT, "%.0f s", s);
    }

    private static String capitalised(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
