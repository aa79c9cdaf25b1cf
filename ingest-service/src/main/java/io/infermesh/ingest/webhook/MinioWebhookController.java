package io.infermesh.ingest.webhook;

import io.infermesh.ingest.IngestProperties;
import io.infermesh.ingest.intake.NotificationHandler;
import io.infermesh.ingest.notification.MalformedNotificationException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * MinIO's webhook notification target: {@code POST /api/storage-events/minio} with the same
 * {@code {"EventName","Key","Records":[...]}} body as the Kafka target, authenticated with
 * {@code Authorization: Bearer <token>}. The answer is 202 only after Kafka acknowledged every job event; MinIO treats
 * any other answer as a failed delivery (and retries it when the target has a {@code queue_dir}). Errors are RFC 9457
 * problem details.
 */
@RestController
@ConditionalOnBooleanProperty(name = "infermesh.ingest.webhook.enabled")
public class MinioWebhookController {

    public static final String INTAKE = "minio-webhook";
    public static final String PATH = "/api/storage-events/minio";
    private static final Logger log = LoggerFactory.getLogger(MinioWebhookController.class);

    private final NotificationHandler handler;
    private final byte[] token;
    private final Counter unauthorized;

    public MinioWebhookController(NotificationHandler handler, IngestProperties properties, MeterRegistry meters) {
        this.handler = handler;
        this.token = ("Bearer " + properties.webhook().token()).getBytes(StandardCharsets.UTF_8);
        this.unauthorized = meters.counter("infermesh.ingest.notifications.unauthorized", "intake", INTAKE);
        handler.register(INTAKE);
    }

    @PostMapping(PATH)
    public ResponseEntity<?> receive(
            @RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false) String auth,
            @RequestBody(required = false) byte[] body) {
        if (auth == null || !MessageDigest.isEqual(token, auth.trim().getBytes(StandardCharsets.UTF_8))) {
            unauthorized.increment();
            ProblemDetail problem = ProblemDetail.forStatusAndDetail(
                    HttpStatus.UNAUTHORIZED,
                    auth == null
                            ? "the request has no Authorization header; send 'Authorization: Bearer <token>'"
                            : "the bearer token is not the one configured in infermesh.ingest.webhook.token");
            problem.setTitle("Unauthorized");
            return ResponseEntity.status(HttpStatus.UNAUTHORIZED)
                    .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
                    .body(problem);
        }
        NotificationHandler.Result result;
        try {
            result = handler.handle(body == null ? new byte[0] : body, INTAKE);
        } catch (MalformedNotificationException e) {
            log.warn(
                    "webhook notification refused with 400 ({}): {}", e.reason().tag(), e.getMessage());
            ProblemDetail problem = ProblemDetail.forStatusAndDetail(
                    HttpStatus.BAD_REQUEST, "not a bucket notification: " + e.getMessage());
            problem.setTitle("Malformed notification");
            return ResponseEntity.badRequest().body(problem);
        } catch (RuntimeException e) {
            log.warn("could not publish the jobs of a webhook notification; the sender should retry", e);
            ProblemDetail problem = ProblemDetail.forStatusAndDetail(
                    HttpStatus.SERVICE_UNAVAILABLE, "the jobs could not be published to Kafka; retry the delivery");
            problem.setTitle("Publishing failed");
            return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).body(problem);
        }
        return ResponseEntity.accepted()
                .body(Map.of("jobIds", result.jobIds(), "rejected", result.rejected(), "ignored", result.ignored()));
    }
}
