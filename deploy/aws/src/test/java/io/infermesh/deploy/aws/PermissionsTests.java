package io.infermesh.deploy.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import tools.jackson.databind.JsonNode;

/**
 * Least privilege, on the synthesised templates: each role and policy holds exactly the statements its user needs
 * (the Lambda function, a Batch job, the router, ingest-service), and no Allow statement anywhere — CDK's own
 * included — has a wildcard action or a wildcard resource on data.
 */
class PermissionsTests {

    static final Map<String, Object> INBOX = objects("/inbox/*");
    static final Map<String, Object> RESULTS = objects("/results/*");

    static Map<String, Object> objects(String suffix) {
        Synth synth = Synth.of(Synth.DEFAULTS);
        return Map.of(
                "Fn::Join",
                List.of("", List.of(InfermeshStackTests.arn(synth.id("AWS::S3::Bucket", "IntakeBucket")), suffix)));
    }

    static List<Map<String, Object>> workerStatements(Synth synth) {
        return List.of(
                Map.of(
                        "Sid",
                        "ReadInputs",
                        "Effect",
                        "Allow",
                        "Action",
                        List.of("s3:GetObject", "s3:GetObjectVersion"),
                        "Resource",
                        INBOX),
                Map.of("Sid", "WriteResults", "Effect", "Allow", "Action", "s3:PutObject", "Resource", RESULTS),
                Map.of(
                        "Sid",
                        "KnowMissingInputs",
                        "Effect",
                        "Allow",
                        "Action",
                        "s3:ListBucket",
                        "Resource",
                        InfermeshStackTests.arn(synth.id("AWS::S3::Bucket", "IntakeBucket"))));
    }

    @Test
    void theFunctionReadsTheInboxWritesResultsItsLogsAndItsDestinationsAndNothingElse() {
        Synth synth = Synth.of(Synth.DEFAULTS);
        String role = synth.id("AWS::IAM::Role", "LambdaRole");
        List<Object> expected = new ArrayList<>(workerStatements(synth));
        expected.add(Map.of(
                "Effect",
                "Allow",
                "Action",
                List.of("logs:CreateLogStream", "logs:PutLogEvents"),
                "Resource",
                InfermeshStackTests.arn(synth.id("AWS::Logs::LogGroup", "LambdaLogs"))));
        expected.add(Map.of(
                "Effect",
                "Allow",
                "Action",
                List.of("sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"),
                "Resource",
                InfermeshStackTests.arn(synth.id("AWS::SQS::Queue", "IntakeIngestQueue"))));
        synth.template()
                .hasResourceProperties(
                        "AWS::IAM::Policy",
                        Map.of(
                                "Roles",
                                List.of(InfermeshStackTests.ref(role)),
                                "PolicyDocument",
                                Map.of("Statement", expected, "Version", "2012-10-17")));
        assertThat(policiesOf(synth, role)).hasSize(1);
        synth.template()
                .hasResourceProperties(
                        "AWS::IAM::Role",
                        Map.of(
                                "AssumeRolePolicyDocument",
                                Match.objectLike(Map.of(
                                        "Statement",
                                        List.of(Match.objectLike(
                                                Map.of("Principal", Map.of("Service", "lambda.amazonaws.com"))))))));
    }

    @Test
    void aBatchJobReadsTheInboxAndWritesResultsAndNothingElse() {
        Synth synth = Synth.of(Synth.DEFAULTS);
        String role = synth.id("AWS::IAM::Role", "BatchJobRole");
        synth.template()
                .hasResourceProperties(
                        "AWS::IAM::Policy",
                        Map.of(
                                "Roles",
                                List.of(InfermeshStackTests.ref(role)),
                                "PolicyDocument",
                                Map.of("Statement", workerStatements(synth), "Version", "2012-10-17")));
        assertThat(policiesOf(synth, role)).hasSize(1);
        assertThat(synth.json()
                        .path("Resources")
                        .path(role)
                        .path("Properties")
                        .path("ManagedPolicyArns")
                        .isMissingNode())
                .isTrue();
    }

    @Test
    void theRouterInvokesTheAliasOnlyAndSubmitsToTheTwoQueuesAndDefinitions() {
        Synth synth = Synth.of(Synth.DEFAULTS);
        List<Object> definitions = new ArrayList<>();
        for (String name : List.of("infermesh-worker-cpu", "infermesh-worker-gpu")) {
            for (String suffix : List.of("", ":*")) {
                definitions.add(Map.of(
                        "Fn::Join",
                        List.of(
                                "",
                                List.of(
                                        "arn:",
                                        Map.of("Ref", "AWS::Partition"),
                                        ":batch:",
                                        Map.of("Ref", "AWS::Region"),
                                        ":",
                                        Map.of("Ref", "AWS::AccountId"),
                                        ":job-definition/" + name + suffix))));
            }
        }
        List<Object> submittable = new ArrayList<>();
        for (String queue : List.of("BatchCpuQueue", "BatchGpuQueue")) {
            submittable.add(Map.of("Fn::GetAtt", List.of(synth.id("AWS::Batch::JobQueue", queue), "JobQueueArn")));
        }
        submittable.addAll(definitions);
        synth.template()
                .hasResourceProperties(
                        "AWS::IAM::ManagedPolicy",
                        Map.of(
                                "ManagedPolicyName",
                                "infermesh-router",
                                "PolicyDocument",
                                Map.of(
                                        "Statement",
                                        List.of(
                                                Map.of(
                                                        "Sid", "InvokeWorker",
                                                        "Effect", "Allow",
                                                        "Action", "lambda:InvokeFunction",
                                                        "Resource",
                                                                InfermeshStackTests.ref(
                                                                        synth.id("AWS::Lambda::Alias", "LambdaAlias"))),
                                                Map.of(
                                                        "Sid", "SubmitJobs",
                                                        "Effect", "Allow",
                                                        "Action", "batch:SubmitJob",
                                                        "Resource", submittable),
                                                Map.of(
                                                        "Sid", "FollowJobs",
                                                        "Effect", "Allow",
                                                        "Action", MeshPolicies.BATCH_DESCRIBE,
                                                        "Resource", "*")),
                                        "Version",
                                        "2012-10-17")));
    }

    @Test
    void ingestReceivesAndDeletesTheQueuesMessagesAndReadsUploadsAndNothingElse() {
        Synth synth = Synth.of(Synth.DEFAULTS);
        synth.template()
                .hasResourceProperties(
                        "AWS::IAM::ManagedPolicy",
                        Map.of(
                                "ManagedPolicyName",
                                "infermesh-ingest",
                                "PolicyDocument",
                                Map.of(
                                        "Statement",
                                        List.of(
                                                Map.of(
                                                        "Sid",
                                                        "ReadIngestQueue",
                                                        "Effect",
                                                        "Allow",
                                                        "Action",
                                                        List.of("sqs:ReceiveMessage", "sqs:DeleteMessage"),
                                                        "Resource",
                                                        InfermeshStackTests.arn(
                                                                synth.id("AWS::SQS::Queue", "IntakeIngestQueue"))),
                                                Map.of(
                                                        "Sid",
                                                        "ReadUploadMetadata",
                                                        "Effect",
                                                        "Allow",
                                                        "Action",
                                                        List.of("s3:GetObject", "s3:GetObjectVersion"),
                                                        "Resource",
                                                        INBOX)),
                                        "Version",
                                        "2012-10-17")));
    }

    @Test
    void aJobsExecutionRolePullsTheWorkerImageAndWritesTheJobLogsAndNothingElse() {
        Synth synth = Synth.of(Synth.DEFAULTS);
        for (String container : List.of("BatchCpuContainer", "BatchGpuContainer")) {
            String role = synth.id("AWS::IAM::Role", container + "ExecutionRole");
            synth.template()
                    .hasResourceProperties(
                            "AWS::IAM::Policy",
                            Map.of(
                                    "Roles",
                                    List.of(InfermeshStackTests.ref(role)),
                                    "PolicyDocument",
                                    Map.of(
                                            "Statement",
                                            List.of(
                                                    Map.of(
                                                            "Effect",
                                                            "Allow",
                                                            "Action",
                                                            List.of("logs:CreateLogStream", "logs:PutLogEvents"),
                                                            "Resource",
                                                            InfermeshStackTests.arn(
                                                                    synth.id("AWS::Logs::LogGroup", "BatchLogs"))),
                                                    Map.of(
                                                            "Effect",
                                                            "Allow",
                                                            "Action",
                                                            List.of(
                                                                    "ecr:BatchCheckLayerAvailability",
                                                                    "ecr:GetDownloadUrlForLayer",
                                                                    "ecr:BatchGetImage"),
                                                            "Resource",
                                                            Map.of("Fn::Join", Match.anyValue())),
                                                    Map.of(
                                                            "Effect",
                                                            "Allow",
                                                            "Action",
                                                            "ecr:GetAuthorizationToken",
                                                            "Resource",
                                                            "*")),
                                            "Version",
                                            "2012-10-17")));
            List<String> policies = policiesOf(synth, role);
            assertThat(policies).hasSize(1);
            // the pull is of the CDK bootstrap's image-asset repository, where cdk deploy pushes the worker image
            assertThat(synth.json()
                            .path("Resources")
                            .path(policies.getFirst())
                            .path("Properties")
                            .path("PolicyDocument")
                            .path("Statement")
                            .get(1)
                            .path("Resource")
                            .toString())
                    .contains(":repository/")
                    .contains("container-assets");
        }
    }

    @Test
    void cdksNotificationHandlerMaySetThisBucketsNotificationsOnly() {
        Synth synth = Synth.of(Synth.DEFAULTS);
        synth.template()
                .hasResourceProperties(
                        "AWS::IAM::Policy",
                        Map.of(
                                "PolicyDocument",
                                Map.of(
                                        "Statement",
                                        List.of(Map.of(
                                                "Effect",
                                                "Allow",
                                                "Action",
                                                "s3:PutBucketNotification",
                                                "Resource",
                                                InfermeshStackTests.arn(synth.id("AWS::S3::Bucket", "IntakeBucket")))),
                                        "Version",
                                        "2012-10-17")));
    }

    @Test
    void noAllowStatementInAnyVariantHasAWildcardActionOrAWildcardResourceOnData() {
        for (Synth synth : Synth.variants()) {
            List<Statements> statements = Statements.of(synth.json());
            assertThat(statements).hasSizeGreaterThan(15);
            assertThat(statements).extracting(Statements::violation).containsOnlyNulls();
            // the only "*" resource is the router's Batch Describe* and the image pull's ECR token
            assertThat(statements.stream()
                            .filter(s -> s.resources().stream()
                                    .anyMatch(r -> r.asString("").equals("*")))
                            .flatMap(s -> s.actions().stream())
                            .distinct())
                    .allMatch(Statements.UNSCOPABLE::contains);
            // the broad actions there are are Denies: the bucket's and the queues' refusal of plain HTTP
            assertThat(statements.stream().filter(s -> s.actions().stream().anyMatch(a -> a.contains("*"))))
                    .allSatisfy(s -> {
                        assertThat(s.effect()).isEqualTo("Deny");
                        assertThat(s.node().path("Condition").toString()).contains("\"aws:SecureTransport\":\"false\"");
                    });
        }
    }

    @Test
    void theWildcardCheckCatchesEachKindOfWildcard() {
        for (String bad : List.of(
                "{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::b/inbox/*\"}",
                "{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"arn:aws:sqs:us-east-1:1:q\"}",
                "{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject*\",\"Resource\":\"arn:aws:s3:::b/inbox/*\"}",
                "{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}",
                "{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\"}",
                "{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":{\"Fn::Join\":[\"\",[{\"Fn::GetAtt\":"
                        + "[\"B\",\"Arn\"]},\"/*\"]]}}",
                "{\"Effect\":\"Allow\",\"Action\":\"sqs:SendMessage\",\"Resource\":\"arn:aws:sqs:us-east-1:1:*\"}",
                "{\"Effect\":\"Allow\",\"Action\":[\"batch:DescribeJobs\",\"batch:SubmitJob\"],\"Resource\":\"*\"}")) {
            assertThat(statement(bad).violation()).as(bad).isNotNull();
        }
        for (String good : List.of(
                "{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/inbox/*\"}",
                "{\"Effect\":\"Allow\",\"Action\":\"batch:DescribeJobs\",\"Resource\":\"*\"}",
                "{\"Effect\":\"Allow\",\"Action\":\"batch:SubmitJob\",\"Resource\":"
                        + "\"arn:aws:batch:us-east-1:1:job-definition/infermesh-worker-cpu:*\"}",
                "{\"Effect\":\"Deny\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::b/*\"}")) {
            assertThat(statement(good).violation()).as(good).isNull();
        }
    }

    @Test
    void onlyCdksNotificationHandlerAndTheGpuInstancesUseAwsManagedPolicies() {
        Synth synth = Synth.of(Synth.DEFAULTS);
        Set<String> managed = new TreeSet<>();
        synth.resources("AWS::IAM::Role")
                .forEach((id, role) -> role.path("Properties")
                        .path("ManagedPolicyArns")
                        .forEach(arn -> managed.add(id.replaceAll("[0-9A-F]{8}$", "") + " "
                                + arn.toString()
                                        .replaceAll(".*:iam::aws:policy/", "")
                                        .replace("\"]]}", ""))));
        assertThat(managed)
                .containsExactly(
                        "BatchGpuInstanceProfileRole service-role/AmazonEC2ContainerServiceforEC2Role",
                        "BucketNotificationsHandler050a0587b7544547bf325f094a3db834Role "
                                + "service-role/AWSLambdaBasicExecutionRole");
    }

    static Statements statement(String json) {
        JsonNode node = Synth.JSON.readTree(json);
        JsonNode template = Synth.JSON.readTree("{\"Resources\":{\"P\":{\"Type\":\"AWS::IAM::Policy\","
                + "\"Properties\":{\"PolicyDocument\":{\"Statement\":[" + node + "]}}}}}");
        return Statements.of(template).getFirst();
    }

    static List<String> policiesOf(Synth synth, String role) {
        return synth.resources("AWS::IAM::Policy").entrySet().stream()
                .filter(e ->
                        e.getValue().path("Properties").path("Roles").toString().contains("\"" + role + "\""))
                .map(Map.Entry::getKey)
                .toList();
    }
}
