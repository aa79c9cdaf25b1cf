package io.infermesh.router.placement;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.FailureReason;
import io.infermesh.contracts.JobRequested;
import io.infermesh.contracts.ModelCard;
import java.util.Optional;

/**
 * Decides where a job runs, and says why. Plain logic: no Kafka, no Spring. For now every model runs on its
 * on-prem pool; Lambda, Batch and the cost policy extend this decision.
 */
public final class Router {

    /** The outcome of placing one job. */
    public sealed interface Decision {
    }

    /** Run the job on {@code backend}; {@code reason} is shown to people in the RUNNABLE event. */
    public record Placed(Backend backend, String reason) implements Decision {
    }

    /** The job cannot run anywhere; it ends FAILED with this reason. */
    public record Rejected(FailureReason reason, String message) implements Decision {
    }

    public Decision place(JobRequested job, Optional<ModelCard> card) {
        if (card.isEmpty()) {
            return new Rejected(FailureReason.UNKNOWN_MODEL, "there is no model named '" + job.model()
                    + "'; the first folder under the inbox must name a model of the catalogue");
        }
        ModelCard model = card.get();
        Long limit = model.resources() == null ? null : model.resources().maxInputBytes();
        Long size = job.input() == null ? null : job.input().size();
        if (limit != null && size != null && size > limit) {
            return new Rejected(FailureReason.INPUT_TOO_LARGE, "the input is " + size + " bytes; model '"
                    + model.name() + "' accepts at most " + limit + " bytes");
        }
        String mode = model.placement() == null || model.placement().mode() == null ? "onprem"
                : model.placement().mode();
        if ("onprem".equals(mode)) {
            return new Placed(Backend.ONPREM, "model card of '" + model.name() + "' fixes placement to the on-prem pool");
        }
        return new Placed(Backend.ONPREM, "model card of '" + model.name() + "' asks for '" + mode
                + "', which this router does not place yet; using the on-prem pool");
    }
}
