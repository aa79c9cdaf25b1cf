package io.infermesh.events;

import java.util.ArrayList;
import java.util.List;
import org.springframework.cloud.stream.function.StreamOperations;
import org.springframework.messaging.Message;
import org.springframework.util.MimeType;

/** Records what would go to Kafka; {@code accept} says whether the binder accepts it. */
final class Recorder implements StreamOperations {

    final List<String> topics = new ArrayList<>();
    final List<Message<?>> messages = new ArrayList<>();
    boolean accept = true;

    @Override
    public boolean send(String bindingName, Object data) {
        topics.add(bindingName);
        messages.add((Message<?>) data);
        return accept;
    }

    @Override
    public boolean send(String bindingName, Object data, MimeType outputContentType) {
        return send(bindingName, data);
    }

    @Override
    public boolean send(String bindingName, String binderName, Object data) {
        return send(bindingName, data);
    }

    @Override
    public boolean send(String bindingName, String binderName, Object data, MimeType outputContentType) {
        return send(bindingName, data);
    }
}
