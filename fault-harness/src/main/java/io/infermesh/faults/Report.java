package io.infermesh.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The table, as Markdown for people and CSV for tools, and each scenario's problems in full. */
final class Report {

    /** One scenario's row with what it noted. */
    record Row(String scenario, String description, ScenarioRun.Outcome outcome) {}

    private Report() {}

    static String markdown(List<Row> rows) {
        StringBuilder md = new StringBuilder();
        md.append(
                "| fault | jobs | succeeded | failed | lost | duplicated (same ce_id) | stuck | illegal order | time to recover"
                        + " | fault after |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row row : rows) {
            md.append("| %s | %d | %d | %d | %d | %d (%d) | %d | %d | %s | %.1f s |\n"
                    .formatted(values(row, "never (stuck)", "%.1f s")));
        }
        return md.toString();
    }

    static String csv(List<Row> rows) {
        StringBuilder csv = new StringBuilder(
                "fault,jobs,succeeded,failed,lost,duplicated,duplicated_same_ce_id,stuck,illegal,recovery_s,fault_after_s\n");
        for (Row row : rows) {
            csv.append("%s,%d,%d,%d,%d,%d,%d,%d,%d,%s,%.1f\n".formatted(values(row, "", "%.1f")));
        }
        return csv.toString();
    }

    /** One row's values in the table's column order; the recovery time in {@code seconds}, or {@code never}. */
    private static Object[] values(Row row, String never, String seconds) {
        Checks.Verdict v = row.outcome().verdict();
        return new Object[] {
            row.scenario(),
            v.jobs(),
            v.succeeded(),
            v.failed(),
            v.lost(),
            v.duplicated(),
            v.sameCeId(),
            v.stuck(),
            v.illegal(),
            v.recovery() == null ? never : seconds.formatted(v.recovery().toMillis() / 1000.0),
            row.outcome().faultAfter().toMillis() / 1000.0
        };
    }

    static String details(List<Row> rows) {
        StringBuilder md = new StringBuilder();
        for (Row row : rows) {
            Checks.Verdict v = row.outcome().verdict();
            md.append("\n## ")
                    .append(row.scenario())
                    .append("\n\n")
                    .append(row.description())
                    .append(". ");
            if (!row.outcome().note().isEmpty()) {
                md.append(row.outcome().note()).append('.');
            }
            md.append("\n\n");
            if (v.problems().isEmpty()) {
                md.append("No problem found.\n");
            }
            v.problems().stream()
                    .limit(50)
                    .forEach(p -> md.append("- ").append(p).append('\n'));
            if (v.problems().size() > 50) {
                md.append("- ... and ").append(v.problems().size() - 50).append(" more\n");
            }
        }
        return md.toString();
    }

    static void write(Path dir, String header, List<Row> rows) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("summary.md"), header + "\n\n" + markdown(rows) + details(rows));
            Files.writeString(dir.resolve("data.csv"), csv(rows));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
