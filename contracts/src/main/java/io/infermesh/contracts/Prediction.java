package io.infermesh.contracts;

/**
 * One ranked answer of a classifier.
 *
 * @param label the class label from the model card
 * @param probability its probability, 0..1
 */
public record Prediction(String label, double probability) {}
