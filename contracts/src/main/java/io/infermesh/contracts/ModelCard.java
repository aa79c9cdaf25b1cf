package io.infermesh.contracts;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A model card, {@code model.yaml}: what the model is, what it takes and gives, what it needs, and where it may run.
 * The router reads placement and limits; the worker reads the rest. Schema: {@code /schemas/model-card.schema.json}.
 *
 * @param name the model name, {@link Topics#MODEL_NAME}; the first segment of inbox keys
 * @param version the card's version
 * @param description what the model does, for people
 * @param artifact the ONNX file, relative to the card's folder
 * @param input how to turn an uploaded object into the model's input tensor
 * @param output how to turn the model's output tensor into a ranked answer
 * @param resources what a run needs and its limits
 * @param placement where jobs of this model may run
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModelCard(
        String name,
        String version,
        String description,
        String artifact,
        Input input,
        Output output,
        Resources resources,
        Placement placement) {

    /** The largest input object this model accepts, in bytes; empty when the card sets no limit. */
    public OptionalLong maxInputBytes() {
        return resources == null || resources.maxInputBytes() == null
                ? OptionalLong.empty()
                : OptionalLong.of(resources.maxInputBytes());
    }

    /**
     * Why an input of {@code size} bytes is refused ({@link FailureReason#INPUT_TOO_LARGE}), as a sentence for the
     * job's message; empty when the card accepts it.
     */
    public Optional<String> inputTooLarge(long size) {
        OptionalLong limit = maxInputBytes();
        return limit.isPresent() && size > limit.getAsLong()
                ? Optional.of("the input is " + size + " bytes; model '" + name + "' accepts at most "
                        + limit.getAsLong() + " bytes")
                : Optional.empty();
    }

    /**
     * The input side.
     *
     * @param kind {@code image} or {@code tabular}
     * @param width image width the model takes
     * @param height image height the model takes
     * @param channels 1 (grayscale) or 3 (RGB)
     * @param layout {@code NCHW} or {@code NHWC}
     * @param invert whether to invert pixels (dark ink on light paper to bright on black)
     * @param scale factor applied to each 0..255 pixel after inversion
     * @param mean per-channel mean subtracted after scaling
     * @param std per-channel standard deviation divided after subtracting the mean
     * @param features tabular: the fields of a record (JSON keys, CSV columns) the model reads; without steps, also
     *     the tensor's columns in order
     * @param maxPixels image: the largest width × height accepted, checked from the header before any pixel is
     *     decoded (absent: {@link #DEFAULT_MAX_PIXELS})
     * @param steps tabular: the declared preprocessing, applied in order to every row (absent: none, every feature
     *     must be a number)
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Input(
            String kind,
            Integer width,
            Integer height,
            Integer channels,
            String layout,
            Boolean invert,
            Double scale,
            List<Double> mean,
            List<Double> std,
            List<String> features,
            Long maxPixels,
            List<Step> steps) {

        /** The pixel limit of an image model whose card sets none: 40 megapixels. */
        public static final long DEFAULT_MAX_PIXELS = 40_000_000L;

        /** The declared steps, empty when the card has none. */
        public List<Step> stepsOrNone() {
            return steps == null ? List.of() : steps;
        }

        /** The pixel limit, {@link #DEFAULT_MAX_PIXELS} when the card sets none. */
        public long maxPixelsOrDefault() {
            return maxPixels == null ? DEFAULT_MAX_PIXELS : maxPixels;
        }

        /**
         * The names of the tensor's columns, in order: the features, each one an {@code encode} step names replaced
         * in place by its one-hot columns {@code <feature>=<value>} (the unknown bucket last).
         */
        public List<String> tensorColumns() {
            List<String> columns = new ArrayList<>(features == null ? List.of() : features);
            for (Step step : stepsOrNone()) {
                if (step.encode() == null) {
                    continue;
                }
                step.encode().forEach((feature, encoding) -> {
                    int at = columns.indexOf(feature);
                    if (at >= 0) {
                        columns.remove(at);
                        columns.addAll(at, encoding.columns(feature));
                    }
                });
            }
            return List.copyOf(columns);
        }
    }

    /**
     * One preprocessing step of a tabular input: exactly one of its fields is set. Unlike the rest of the card, keys
     * that are not understood are kept (in {@code unknown}) so that loading the card can refuse them: a misspelt step
     * silently skipped would change every prediction.
     *
     * @param impute feature → value used when the field is absent, null or empty (a number, or text for a feature
     *     a later step encodes); features not named here are required
     * @param encode feature → its one-hot encoding; the feature's column is replaced by one column per value
     * @param scale {@code (x - mean) / std} per column (a feature, or an encoded column {@code <feature>=<value>});
     *     columns not named pass unchanged
     * @param unknown keys that are none of the above (a card with any does not load)
     */
    public record Step(
            Map<String, Object> impute,
            Map<String, Encoding> encode,
            Scaling scale,
            @JsonAnySetter @JsonAnyGetter Map<String, Object> unknown) {

        /** The step's name as written in the card ({@code impute}, {@code encode}, {@code scale}), or null. */
        public String kind() {
            return impute != null ? "impute" : encode != null ? "encode" : scale != null ? "scale" : null;
        }
    }

    /**
     * A one-hot encoding of a categorical feature, read as text.
     *
     * @param values the known values, in column order
     * @param unknown the name of an extra, last column that takes every value not listed; absent: such a value is
     *     an invalid input
     * @param others keys that are neither (a card with any does not load)
     */
    public record Encoding(
            List<String> values,
            String unknown,
            @JsonAnySetter @JsonAnyGetter Map<String, Object> others) {

        /** The one-hot columns this encoding makes of a feature, in order. */
        public List<String> columns(String feature) {
            List<String> columns = new ArrayList<>();
            (values == null ? List.<String>of() : values).forEach(v -> columns.add(feature + "=" + v));
            if (unknown != null) {
                columns.add(feature + "=" + unknown);
            }
            return columns;
        }
    }

    /**
     * Standardisation: per column, {@code (x - mean) / std}.
     *
     * @param mean column → mean
     * @param std column → standard deviation (positive)
     * @param others keys that are neither (a card with any does not load)
     */
    public record Scaling(
            Map<String, Double> mean,
            Map<String, Double> std,
            @JsonAnySetter @JsonAnyGetter Map<String, Object> others) {}

    /**
     * The output side.
     *
     * @param labels class labels by index
     * @param softmax whether the model emits logits that need a softmax
     * @param topK how many ranked answers to keep
     * @param links per label, named URL templates with {@code {label}} (like the paper's Figure 9)
     * @param threshold a per-row decision on one label's probability (absent: none)
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Output(
            List<String> labels, Boolean softmax, Integer topK, Map<String, String> links, Threshold threshold) {}

    /**
     * The decision step: a row is decided {@code label} when that label's probability is at least {@code at},
     * otherwise the most probable of the other labels.
     *
     * @param label the label decided on, one of the output's labels
     * @param at the probability from which a row is decided {@code label}, 0..1
     * @param others keys that are neither (a card with any does not load)
     */
    public record Threshold(
            String label,
            Double at,
            @JsonAnySetter @JsonAnyGetter Map<String, Object> others) {}

    /**
     * Resources and limits.
     *
     * @param maxInputBytes largest accepted input object
     * @param timeoutSeconds longest a run may take
     * @param memoryMb memory a run needs
     * @param cpus CPUs a run needs
     * @param gpus GPUs a run needs (0 or absent: none); only Batch offers GPUs
     * @param expectedSeconds how long one run takes on one CPU, before the router has observed any (a prior)
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Resources(
            Long maxInputBytes,
            Integer timeoutSeconds,
            Integer memoryMb,
            Integer cpus,
            Integer gpus,
            Double expectedSeconds) {

        /** GPUs needed, 0 when absent. */
        public int gpusOrZero() {
            return gpus == null ? 0 : gpus;
        }
    }

    /**
     * Placement policy.
     *
     * @param mode {@code onprem}, {@code lambda}, {@code batch}, {@code lambda-batch} or {@code auto}
     * @param deadlineSeconds for {@code auto}: a job should finish within this many seconds of its request
     * @param maxCostUsd for {@code auto}: backends whose expected cost per job is higher are not considered
     * @param lambda the AWS Lambda function that runs this model (modes {@code lambda}, {@code lambda-batch},
     *     {@code auto})
     * @param batch the AWS Batch queue and job definition that run this model (modes {@code batch},
     *     {@code lambda-batch}, {@code auto})
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Placement(
            String mode, Integer deadlineSeconds, Double maxCostUsd, LambdaTarget lambda, BatchTarget batch) {

        /** A placement with only a mode. */
        public static Placement of(String mode) {
            return new Placement(mode, null, null, null, null);
        }
    }

    /**
     * An AWS Lambda function.
     *
     * @param functionName name or ARN of the function
     * @param qualifier version or alias, optional
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record LambdaTarget(String functionName, String qualifier) {}

    /**
     * An AWS Batch queue and job definition.
     *
     * @param jobQueue name or ARN of the job queue
     * @param jobDefinition name, name:revision or ARN of the job definition
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record BatchTarget(String jobQueue, String jobDefinition) {}
}
