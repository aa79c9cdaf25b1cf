package io.infermesh.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.infermesh.contracts.Topics;
import io.infermesh.events.DeadLetters;
import io.infermesh.localinfra.TopicProbe;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Operators see the mesh's dead letters with their real reasons; nobody else sees any of them. */
class DeadLettersApiIntegrationTests extends StatusServiceIntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String STORAGE_DLQ = Topics.STORAGE_EVENTS.dlq();
    private static final String REASON = "the message is a JSON array, not an S3/MinIO notification object";

    @Test
    void aMalformedNotificationOnTheStorageEventsDeadLetterTopicIsListedForTheOperatorWithItsReason() {
        String key = "ingest-tests/inbox/" + UUID.randomUUID();
        TopicProbe.send(
                bootstrapServers(),
                STORAGE_DLQ,
                key,
                "[1,2]".getBytes(StandardCharsets.UTF_8),
                Map.of(
                        DeadLetters.EXCEPTION_MESSAGE,
                        REASON,
                        DeadLetters.ORIGINAL_TOPIC,
                        Topics.STORAGE_EVENTS.name()));

        JsonNode letter = awaitListed(STORAGE_DLQ, key);
        assertThat(letter.get("topic").asString()).isEqualTo(STORAGE_DLQ);
        assertThat(letter.get("reason").asString()).isEqualTo(REASON);
        assertThat(letter.get("originalTopic").asString()).isEqualTo(Topics.STORAGE_EVENTS.name());
        assertThat(letter.get("valuePreview").asString()).isEqualTo("[1,2]");
        assertThat(letter.get("valueEncoding").asString()).isEqualTo("text");
        assertThat(letter.get("valueBytes").asInt()).isEqualTo(5);
        assertThat(letter.get("offset").asLong()).isNotNegative();
        assertThat(letter.has("partition")).isTrue();
        assertThat(letter.get("time").asString()).isNotBlank();
    }

    @Test
    void aBinaryValueIsShownAsTheBase64OfItsFirst200Bytes() {
        String key = "binary-" + UUID.randomUUID();
        byte[] value = new byte[300];
        Arrays.fill(value, (byte) 1);
        TopicProbe.send(
                bootstrapServers(),
                Topics.JOBS_REQUESTED.dlq(),
                key,
                value,
                Map.of(DeadLetters.EXCEPTION_MESSAGE, "not JSON: Illegal character"));

        JsonNode letter = awaitListed(Topics.JOBS_REQUESTED.dlq(), key);
        assertThat(letter.get("valueEncoding").asString()).isEqualTo("base64");
        assertThat(Base64.getDecoder().decode(letter.get("valuePreview").asString()))
                .hasSize(200)
                .containsOnly(1);
        assertThat(letter.get("valueBytes").asInt()).isEqualTo(300);
        assertThat(letter.get("reason").asString()).isEqualTo("not JSON: Illegal character");
    }

    @Test
    void aUserIsRefusedWithAProblemAndSeesNoDeadLetter() {
        String key = "refused-" + UUID.randomUUID();
        TopicProbe.send(
                bootstrapServers(),
                STORAGE_DLQ,
                key,
                ("{\"secret\":\"" + key + "\"}").getBytes(StandardCharsets.UTF_8),
                Map.of(DeadLetters.EXCEPTION_MESSAGE, "not a JSON object"));
        awaitListed(STORAGE_DLQ, key);

        byte[] body = as("alice")
                .get()
                .uri("/api/dead-letters?topic={t}", STORAGE_DLQ)
                .exchange()
                .expectStatus()
                .isForbidden()
                .expectHeader()
                .contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.title")
                .isEqualTo("Operators only")
                .jsonPath("$.status")
                .isEqualTo(403)
                .jsonPath("$.deadLetters")
                .doesNotExist()
                .returnResult()
                .getResponseBodyContent();
        assertThat(new String(body, StandardCharsets.UTF_8)).doesNotContain(key).doesNotContain("secret");

        anonymous
                .get()
                .uri("/api/dead-letters")
                .exchange()
                .expectStatus()
                .isUnauthorized()
                .expectHeader()
                .value(HttpHeaders.WWW_AUTHENTICATE, h -> assertThat(h).startsWith("Bearer"))
                .expectBody()
                .isEmpty();
    }

    @Test
    void aLimitOrCursorThatIsNotOneThisApiGaveIsABadRequest() {
        rest.get()
                .uri("/api/dead-letters?limit=0")
                .exchange()
                .expectStatus()
                .isBadRequest()
                .expectBody()
                .jsonPath("$.title")
                .isEqualTo("Invalid limit");
        rest.get()
                .uri("/api/dead-letters?cursor=yesterday")
                .exchange()
                .expectStatus()
                .isBadRequest()
                .expectBody()
                .jsonPath("$.title")
                .isEqualTo("Invalid cursor")
                .jsonPath("$.parameter")
                .isEqualTo("cursor");
    }

    @Test
    void pagesFollowTheCursorNewestFirst() {
        String key = "paged-" + UUID.randomUUID();
        for (int i = 0; i < 3; i++) {
            TopicProbe.send(
                    bootstrapServers(),
                    STORAGE_DLQ,
                    key,
                    ("v" + i).getBytes(StandardCharsets.UTF_8),
                    Map.of(DeadLetters.EXCEPTION_MESSAGE, "not JSON"));
        }
        await().atMost(Duration.ofSeconds(40))
                .until(() -> list(STORAGE_DLQ, null, 1000)
                                .get("deadLetters")
                                .valueStream()
                                .filter(l -> key.equals(l.path("key").asString()))
                                .count()
                        == 3);

        JsonNode first = list(STORAGE_DLQ, null, 1);
        assertThat(first.get("deadLetters")).hasSize(1);
        JsonNode second = list(STORAGE_DLQ, first.get("nextCursor").asString(), 1);
        assertThat(second.get("deadLetters")).hasSize(1);
        assertThat(second.at("/deadLetters/0/offset").asLong())
                .isNotEqualTo(first.at("/deadLetters/0/offset").asLong());
    }

    private JsonNode awaitListed(String topic, String key) {
        return await().atMost(Duration.ofSeconds(40))
                .until(
                        () -> list(topic, null, 1000)
                                .get("deadLetters")
                                .valueStream()
                                .filter(l -> key.equals(l.path("key").asString()))
                                .findFirst()
                                .orElse(null),
                        found -> found != null);
    }

    private JsonNode list(String topic, String cursor, int limit) {
        byte[] body = rest.get()
                .uri(b -> b.path("/api/dead-letters")
                        .queryParam("topic", topic)
                        .queryParam("limit", limit)
                        .queryParamIfPresent("cursor", Optional.ofNullable(cursor))
                        .build())
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .returnResult()
                .getResponseBodyContent();
        return JSON.readTree(body);
    }
}
