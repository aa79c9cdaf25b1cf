package io.infermesh.ingest.sqs;

import io.infermesh.localinfra.MotoServer;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The few SNS calls the tests need, as plain Query-protocol requests to moto (the SDK's sns module is not in the
 * Maven repository this project builds from at the BOM's version). moto routes by the credential scope of the
 * Authorization header and does not check signatures.
 */
final class MotoSns {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private MotoSns() {}

    static String createTopic(String name) {
        return field(call("CreateTopic", Map.of("Name", name)), "TopicArn");
    }

    static String subscribeQueue(String topicArn, String queueArn, boolean rawDelivery) {
        String subscription = field(
                call("Subscribe", Map.of("TopicArn", topicArn, "Protocol", "sqs", "Endpoint", queueArn)),
                "SubscriptionArn");
        if (rawDelivery) {
            call(
                    "SetSubscriptionAttributes",
                    Map.of(
                            "SubscriptionArn",
                            subscription,
                            "AttributeName",
                            "RawMessageDelivery",
                            "AttributeValue",
                            "true"));
        }
        return subscription;
    }

    static void publish(String topicArn, String message) {
        call("Publish", Map.of("TopicArn", topicArn, "Message", message));
    }

    private static String call(String action, Map<String, String> parameters) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("Action", action);
        form.put("Version", "2010-03-31");
        form.putAll(parameters);
        String body = form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest request = HttpRequest.newBuilder(MotoServer.endpoint().resolve("/"))
                .header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
                .header(
                        "Authorization",
                        "AWS4-HMAC-SHA256 Credential=" + MotoServer.ACCESS_KEY
                                + "/20261122/us-east-1/sns/aws4_request, SignedHeaders=host, Signature=0")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(
                        "SNS " + action + " answered " + response.statusCode() + ": " + response.body());
            }
            return response.body();
        } catch (IOException e) {
            throw new IllegalStateException("SNS " + action + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String field(String xml, String name) {
        Matcher matcher =
                Pattern.compile("<" + name + ">([^<]+)</" + name + ">").matcher(xml);
        if (!matcher.find()) {
            throw new IllegalStateException("no " + name + " in " + xml);
        }
        return matcher.group(1);
    }
}
