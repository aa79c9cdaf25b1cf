package io.infermesh.deploy.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.infermesh.deploy.aws.StackSettings.Notifications;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The stack's context: defaults that deploy as they are, values given win, and each bad value is one sentence. */
class StackSettingsTests {

    static StackSettings settings(Map<String, Object> context) {
        return StackSettings.from(context::get);
    }

    @Test
    void withoutContextEverythingHasItsDefault() {
        StackSettings s = settings(Map.of());

        assertThat(s.stackName()).isEqualTo("infermesh");
        assertThat(s.bucketName()).isEmpty();
        assertThat(s.inboxPrefix()).isEqualTo("inbox/");
        assertThat(s.resultsPrefix()).isEqualTo("results/");
        assertThat(s.notifications()).isEqualTo(Notifications.SQS);
        assertThat(s.queueName()).isEqualTo("infermesh-ingest");
        assertThat(s.functionName()).isEqualTo("infermesh-worker");
        assertThat(s.functionAlias()).isEqualTo("live");
        assertThat(s.lambdaMemoryMb()).isEqualTo(2048);
        assertThat(s.lambdaTimeoutSeconds()).isEqualTo(900);
        assertThat(s.lambdaArm64()).isFalse();
        assertThat(s.lambdaRetryAttempts()).isZero();
        assertThat(s.snapStart()).isTrue();
        assertThat(s.lambdaZip()).isEqualTo(Path.of(StackSettings.LAMBDA_ZIP));
        assertThat(List.of(s.cpuQueueName(), s.gpuQueueName(), s.cpuJobDefinitionName(), s.gpuJobDefinitionName()))
                .containsExactly("infermesh-cpu", "infermesh-gpu", "infermesh-worker-cpu", "infermesh-worker-gpu");
        assertThat(s.gpuInstanceTypes()).containsExactly("g4dn.xlarge");
        assertThat(s.jobVcpus()).isEqualTo(1.0);
        assertThat(s.batchImage()).isEmpty();
        assertThat(s.batchImageDir()).isEqualTo(Path.of("target/batch-image"));
    }

    @Test
    void givenValuesWinWhateverTheirTypeInTheContext() {
        StackSettings s = settings(Map.of(
                "notifications", "EventBridge",
                "lambdaMemoryMb", 3008,
                "snapStart", false,
                "jobVcpus", "0.5",
                "gpuInstanceTypes", "g5.xlarge,g4dn.2xlarge",
                "bucketName", "  ",
                "batchImage", "repo/worker:2"));

        assertThat(s.notifications()).isEqualTo(Notifications.EVENTBRIDGE);
        assertThat(s.lambdaMemoryMb()).isEqualTo(3008);
        assertThat(s.snapStart()).isFalse();
        assertThat(s.jobVcpus()).isEqualTo(0.5);
        assertThat(s.gpuInstanceTypes()).containsExactly("g5.xlarge", "g4dn.2xlarge");
        assertThat(s.bucketName()).as("blank is unset").isEmpty();
        assertThat(s.batchImage()).contains("repo/worker:2");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "notifications|sns|context 'notifications' is 'sns'; it must be one of [sqs, eventbridge]",
                "lambdaMemoryMb|lots|context 'lambdaMemoryMb' is 'lots'; it must be a whole number from 128 to 10240",
                "lambdaTimeoutSeconds|1000|context 'lambdaTimeoutSeconds' is '1000'; it must be a whole number from 1 to 900",
                "lambdaArchitecture|arm|context 'lambdaArchitecture' is 'arm'; it must be x86_64 or arm64",
                "snapStart|yes|context 'snapStart' is 'yes'; it must be true or false",
                "jobVcpus|3|context 'jobVcpus' is '3'; it must be one of Fargate's sizes [0.25, 0.5, 1, 2, 4, 8, 16]",
                "inboxPrefix|inbox|context 'inboxPrefix' is 'inbox'; it must be a key prefix like 'inbox/'",
                "functionName|my worker|context 'functionName' is 'my worker'; it must be a name of letters, digits",
                "gpuInstanceTypes|g4dn|context 'gpuInstanceTypes' is 'g4dn'; it must be EC2 instance types like g4dn.xlarge",
            })
    void aBadValueIsRefusedNamingItsKeyAndWhatItMustBe(String key, String value, String sentence) {
        assertThatThrownBy(() -> settings(Map.of(key, value)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(sentence)
                .hasMessageEndingWith("(cdk -c " + key + "=...)");
    }

    @Test
    void overlappingPrefixesAreRefusedBecauseAResultWouldBecomeAJob() {
        assertThatThrownBy(() -> settings(Map.of("inboxPrefix", "data/", "resultsPrefix", "data/")))
                .hasMessage("inboxPrefix 'data/' and resultsPrefix 'data/' overlap: a result would become a job");
    }

    @Test
    void aMissingArtefactSaysHowToBuildIt() {
        StackSettings s = settings(Map.of("lambdaZip", "target/nothing.zip", "batchImageDir", "target/nothing"));

        assertThatThrownBy(s::requireLambdaZip)
                .hasMessageContaining("nothing.zip is not there: build it with ./mvnw -pl deploy/aws -am package");
        assertThatThrownBy(s::requireBatchImageDir)
                .hasMessageContaining("has no Dockerfile: build it with ./mvnw -pl deploy/aws -am package")
                .hasMessageContaining("-c batchImage=URI");
    }
}
