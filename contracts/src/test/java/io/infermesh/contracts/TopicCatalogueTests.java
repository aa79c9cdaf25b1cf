package io.infermesh.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.util.HashSet;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

class TopicCatalogueTests {

    @Test
    void topicsFollowTheNamingConventionAndDeadLettersAddDlq() {
        for (Topic<?, ?> topic : Topics.fixed()) {
            assertThat(topic.name()).matches("infermesh\\.[a-z]+\\.[a-z]+");
            assertThat(topic.dlq()).isEqualTo(topic.name() + ".dlq");
        }
        assertThat(Topics.dispatch("digits").name()).isEqualTo("infermesh.jobs.dispatch.digits");
    }

    @Test
    void cancellationsAreKeptCompactedForAWeekSoThatAReaderCanTakeThemAllFromTheBeginning() {
        Topic<String, JobStatusChanged> cancellations = Topics.JOBS_CANCELLATIONS;
        assertThat(cancellations.name())
                .isEqualTo("infermesh.jobs.cancellations")
                .matches("infermesh\\.[a-z]+\\.[a-z]+");
        assertThat(cancellations.cloudEventType()).isEqualTo(CloudEventTypes.JOB_STATUS_CHANGED);
        assertThat(cancellations.config())
                .containsEntry("cleanup.policy", "compact,delete")
                .containsEntry("retention.ms", "604800000");
        assertThat(Topics.fixed())
                .as("created by worker-service, not before the services start")
                .doesNotContain(cancellations);
        assertThat(Topics.JOBS_LIFECYCLE.config()).as("the broker's defaults").isEmpty();
    }

    @Test
    void aDispatchTopicNeedsAValidModelName() {
        assertThatThrownBy(() -> Topics.dispatch("../etc"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("../etc");
        assertThatThrownBy(() -> Topics.dispatch("Digits")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theAsyncApiDocumentDescribesEveryTopicOfTheCatalogue() throws Exception {
        JsonNode doc;
        try (InputStream in = getClass().getResourceAsStream("/asyncapi.yaml")) {
            doc = YAMLMapper.builder().build().readTree(in);
        }
        var addresses = new HashSet<String>();
        for (Map.Entry<String, JsonNode> channel : doc.get("channels").properties()) {
            addresses.add(channel.getValue().get("address").asString());
        }
        for (Topic<?, ?> topic : Topics.fixed()) {
            assertThat(addresses).contains(topic.name());
        }
        assertThat(addresses).contains(Topics.DISPATCH_PREFIX + "{model}", Topics.JOBS_CANCELLATIONS.name());
        JsonNode cancellations = doc.get("channels").get("jobsCancellations");
        assertThat(cancellations
                        .get("bindings")
                        .get("kafka")
                        .get("topicConfiguration")
                        .get("retention.ms")
                        .asLong())
                .isEqualTo(Topics.CANCELLATIONS_RETENTION.toMillis());
        // each referenced schema file exists
        for (Map.Entry<String, JsonNode> message :
                doc.get("components").get("messages").properties()) {
            JsonNode ref = message.getValue().get("payload").get("$ref");
            if (ref != null) {
                assertThat(getClass().getResource("/" + ref.asString()))
                        .as(ref.asString())
                        .isNotNull();
            }
        }
    }
}
