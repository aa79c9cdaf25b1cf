package io.infermesh.deploy.aws;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.StreamSupport;
import tools.jackson.databind.JsonNode;

/**
 * Every IAM statement of a template — roles' inline policies, identity policies, managed policies, queue and bucket
 * policies — with where it is, and the least-privilege rule they are checked against.
 *
 * @param where the resource's logical id
 * @param effect Allow or Deny
 * @param actions the actions
 * @param resources the resources, each as its JSON (a string, or an intrinsic such as {@code Fn::Join})
 * @param node the statement as written
 */
record Statements(String where, String effect, List<String> actions, List<JsonNode> resources, JsonNode node) {

    private static final Set<String> POLICY_TYPES =
            Set.of("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::SQS::QueuePolicy", "AWS::S3::BucketPolicy");

    /**
     * The only actions that may have {@code "*"} as their resource: AWS defines no resource for them (service
     * authorization reference), and none reads or writes data — Batch's Describe* read job metadata (the router's
     * availability checks and poller), ECR's token only lets a registry login happen (pulls are scoped to the repository).
     */
    static final Set<String> UNSCOPABLE = Set.of(
            "batch:DescribeJobs",
            "batch:DescribeJobQueues",
            "batch:DescribeJobDefinitions",
            "ecr:GetAuthorizationToken");

    static List<Statements> of(JsonNode template) {
        List<Statements> all = new ArrayList<>();
        template.path("Resources").properties().forEach(e -> {
            JsonNode resource = e.getValue();
            JsonNode properties = resource.path("Properties");
            String type = resource.path("Type").asString();
            if (POLICY_TYPES.contains(type)) {
                add(all, e.getKey(), properties.path("PolicyDocument"));
            } else if (type.equals("AWS::IAM::Role")) {
                properties.path("Policies").forEach(p -> add(all, e.getKey(), p.path("PolicyDocument")));
            }
        });
        return all;
    }

    private static void add(List<Statements> all, String where, JsonNode document) {
        for (JsonNode s : document.path("Statement")) {
            all.add(new Statements(
                    where,
                    s.path("Effect").asString(),
                    list(s.path("Action")).stream().map(JsonNode::asString).toList(),
                    list(s.path("Resource")),
                    s));
        }
    }

    private static List<JsonNode> list(JsonNode node) {
        return node.isArray() ? StreamSupport.stream(node.spliterator(), false).toList() : List.of(node);
    }

    /** Why this statement breaks least privilege, or null: a wildcard action, or a wildcard resource on data. */
    String violation() {
        if (!effect.equals("Allow")) {
            return null; // a Deny narrows (enforceSSL's "deny everything over plain HTTP")
        }
        for (String action : actions) {
            if (action.contains("*")) {
                return where + ": wildcard action " + action;
            }
        }
        for (JsonNode resource : resources) {
            if (resource.isString() && resource.asString().equals("*")) {
                if (!UNSCOPABLE.containsAll(actions)) {
                    return where + ": resource * for " + actions;
                }
            } else if (wholeBucketOrService(resource)) {
                return where + ": wildcard resource " + resource + " for " + actions;
            }
        }
        return null;
    }

    /** {@code <bucket ARN>/*} (every object), {@code arn:…:*} (every resource of a kind). */
    private static boolean wholeBucketOrService(JsonNode resource) {
        String last;
        if (resource.isString()) {
            last = resource.asString();
            if (last.matches("arn:[a-z-]+:s3:::[^/]+/\\*")) {
                return true;
            }
        } else if (resource.has("Fn::Join")) {
            JsonNode parts = resource.path("Fn::Join").get(1);
            JsonNode end = parts.get(parts.size() - 1);
            last = end.isString() ? end.asString() : "";
        } else {
            return false; // a Ref or GetAtt: one resource
        }
        return last.equals("/*") || last.endsWith(":*") && !last.matches(".*:job-definition/[A-Za-z0-9_-]+:\\*");
    }
}
