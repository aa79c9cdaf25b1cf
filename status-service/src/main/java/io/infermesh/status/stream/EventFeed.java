package io.infermesh.status.stream;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * The live stream behind {@code GET /api/jobs/stream}: one poller per instance reads the events the projection
 * recorded (every instance's, from PostgreSQL, so a client sees all jobs whichever instance it is connected to) and
 * fans them out to the subscribers whose filter matches, as server-sent events whose id is the event's position in
 * the feed. A client that reconnects with {@code Last-Event-ID} first gets what it missed, from the table, then the
 * live events, with neither gap nor repeat.
 *
 * <p>Rows are taken once they are {@code lag} old: the projection commits at most 100 events per transaction (about
 * 0.1 s), so waiting a little means a later position is never delivered before an earlier one that had not committed
 * yet. This holds as long as no projection transaction lasts longer than {@code lag}; a cursor by transaction id
 * would not depend on it.
 */
public final class EventFeed implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(EventFeed.class);
    private static final int PAGE = 1000;

    /** What a subscriber wants: null fields match anything. */
    public record Filter(String jobId, String owner, String model) {

        boolean matches(Row row) {
            return (jobId == null || jobId.equals(row.jobId()))
                    && (owner == null || owner.equals(row.owner()))
                    && (model == null || model.equals(row.model()));
        }
    }

    /** One recorded lifecycle event. */
    record Row(long seq, String jobId, String owner, String model, String payload) {}

    private record Subscriber(SseEmitter emitter, Filter filter) {}

    private final JdbcClient jdbc;
    private final Duration interval;
    private final Duration lag;
    private final Duration heartbeat;
    private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
    private final Object lock = new Object();
    private volatile long position = -1;
    private ScheduledExecutorService timer;
    private long lastHeartbeat = System.nanoTime();

    public EventFeed(JdbcClient jdbc, Duration interval, Duration lag, Duration heartbeat) {
        this.jdbc = jdbc;
        this.interval = interval;
        this.lag = lag;
        this.heartbeat = heartbeat;
    }

    /**
     * Adds a subscriber. With {@code after} (a Last-Event-ID), the events after it that match are sent first.
     *
     * @throws IOException when the client is already gone
     */
    public void subscribe(SseEmitter emitter, Filter filter, Long after) throws IOException {
        Subscriber subscriber = new Subscriber(emitter, filter);
        emitter.onCompletion(() -> subscribers.remove(subscriber));
        emitter.onTimeout(() -> subscribers.remove(subscriber));
        emitter.onError(e -> subscribers.remove(subscriber));
        synchronized (lock) {
            long upTo = position();
            if (after != null) {
                long from = after;
                while (from < upTo) {
                    List<Row> page = rows(from, upTo, filter);
                    for (Row row : page) {
                        send(emitter, row);
                    }
                    if (page.size() < PAGE) {
                        break;
                    }
                    from = page.getLast().seq();
                }
            }
            // a comment tells the client the stream is open, and flushes the headers
            emitter.send(SseEmitter.event().comment("streaming from " + upTo));
            subscribers.add(subscriber);
        }
    }

    /** One poll: delivers the events recorded since the last one. Returns how many rows it read. */
    int poll() {
        synchronized (lock) {
            long from = position();
            List<Row> page = rows(from, Long.MAX_VALUE, null);
            for (Row row : page) {
                for (Subscriber s : subscribers) {
                    if (s.filter().matches(row)) {
                        try {
                            send(s.emitter(), row);
                        } catch (IOException | IllegalStateException gone) {
                            subscribers.remove(s);
                        }
                    }
                }
                position = row.seq();
            }
            if (System.nanoTime() - lastHeartbeat > heartbeat.toNanos()) {
                lastHeartbeat = System.nanoTime();
                for (Subscriber s : subscribers) {
                    try {
                        s.emitter().send(SseEmitter.event().comment("heartbeat"));
                    } catch (IOException | IllegalStateException gone) {
                        subscribers.remove(s);
                    }
                }
            }
            return page.size();
        }
    }

    public int subscribers() {
        return subscribers.size();
    }

    private long position() {
        if (position < 0) {
            // start at the newest committed row: a new stream is live, history is for Last-Event-ID
            position = jdbc.sql("SELECT coalesce(max(seq), 0) FROM job_events WHERE recorded_at < now() - "
                            + "make_interval(secs => :lag)")
                    .param("lag", lag.toMillis() / 1000.0)
                    .query(Long.class)
                    .single();
        }
        return position;
    }

    private List<Row> rows(long after, long upTo, Filter filter) {
        StringBuilder sql = new StringBuilder("""
                SELECT seq, job_id, payload->>'owner' AS owner, payload->>'model' AS model, payload::text AS payload
                FROM job_events
                WHERE seq > :after AND seq <= :upTo AND recorded_at < now() - make_interval(secs => :lag)""");
        Map<String, Object> params =
                new HashMap<>(Map.of("after", after, "upTo", upTo, "lag", lag.toMillis() / 1000.0));
        if (filter != null && filter.jobId() != null) {
            sql.append(" AND job_id = :jobId");
            params.put("jobId", filter.jobId());
        }
        if (filter != null && filter.owner() != null) {
            sql.append(" AND payload->>'owner' = :owner");
            params.put("owner", filter.owner());
        }
        if (filter != null && filter.model() != null) {
            sql.append(" AND payload->>'model' = :model");
            params.put("model", filter.model());
        }
        sql.append(" ORDER BY seq LIMIT ").append(PAGE);
        return jdbc.sql(sql.toString())
                .params(params)
                .query((rs, i) -> new Row(
                        rs.getLong("seq"),
                        rs.getString("job_id"),
                        rs.getString("owner"),
                        rs.getString("model"),
                        rs.getString("payload")))
                .list();
    }

    private static void send(SseEmitter emitter, Row row) throws IOException {
        emitter.send(SseEmitter.event()
                .id(Long.toString(row.seq()))
                .name("status")
                .data(row.payload(), MediaType.APPLICATION_JSON));
    }

    @Override
    public void start() {
        timer = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "status-event-feed"));
        timer.scheduleWithFixedDelay(
                () -> {
                    try {
                        synchronized (lock) {
                            if (subscribers.isEmpty()) {
                                position = -1; // nobody listens: start from the newest again when someone does
                            } else {
                                poll();
                            }
                        }
                    } catch (RuntimeException e) {
                        log.warn("event feed poll failed; retrying in {}", interval, e);
                    }
                },
                interval.toMillis(),
                interval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        if (timer != null) {
            timer.shutdownNow();
        }
        for (Subscriber s : subscribers) {
            s.emitter().complete();
        }
        subscribers.clear();
    }

    @Override
    public boolean isRunning() {
        return timer != null && !timer.isShutdown();
    }
}
