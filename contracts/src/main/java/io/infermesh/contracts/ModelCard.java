package io.infermesh.contracts;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;
import java.util.Map;

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
public record ModelCard(String name, String version, String description, String artifact, Input input,
        Output output, Resources resources, Placement placement) {

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
     * @param features tabular feature names in the order of the model's input vector
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Input(String kind, Integer width, Integer height, Integer channels, String layout, Boolean invert,
            Double scale, List<Double> mean, List<Double> std, List<String> features) {
    }

    /**
     * The output side.
     *
     * @param labels class labels by index
     * @param softmax whether the model emits logits that need a softmax
     * @param topK how many ranked answers to keep
     * @param links per label, named URL templates with {@code {label}} (like the paper's Figure 9)
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Output(List<String> labels, Boolean softmax, Integer topK, Map<String, String> links) {
    }

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
    public record Resources(Long maxInputBytes, Integer timeoutSeconds, Integer memoryMb, Integer cpus,
            Integer gpus, Double expectedSeconds) {

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
    public record Placement(String mode, Integer deadlineSeconds, Double maxCostUsd, LambdaTarget lambda,
            BatchTarget batch) {

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
    public record LambdaTarget(String functionName, String qualifier) {
    }

    /**
     * An AWS Batch queue and job definition.
     *
     * @param jobQueue name or ARN of the job queue
     * @param jobDefinition name, name:revision or ARN of the job definition
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record BatchTarget(String jobQueue, String jobDefinition) {
    }
}
