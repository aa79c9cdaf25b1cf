package io.infermesh.worker.pool;

import io.infermesh.worker.WorkerProperties;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.config.ConfigResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How fast the workers' group notices a dead instance (issue 17 item 4). A worker killed with {@code kill -9} leaves
 * no word; its dispatch partitions, and the jobs in them, wait until the group's session timeout fences it — 45 s by
 * Kafka's default. With the {@code consumer} group protocol (KIP-848) that timeout and the heartbeat pace belong to
 * the group, not to the consumers, so each worker sets them on the group at start-up
 * ({@code consumer.session.timeout.ms}, {@code consumer.heartbeat.interval.ms}); with {@code classic} they are the
 * consumers' own properties. A cluster whose brokers allow less only within
 * {@code group.consumer.min.session.timeout.ms} (default 45 s) refuses; the worker then says so once, with the
 * broker settings that would allow it, and runs on with the cluster's timeout.
 */
final class GroupSession {

    private static final Logger log = LoggerFactory.getLogger(GroupSession.class);

    private GroupSession() {}

    /** The group's settings, as this worker asks for them. */
    static Map<String, String> groupConfigs(WorkerProperties.Pool settings) {
        return Map.of(
                "consumer.session.timeout.ms",
                Long.toString(settings.sessionTimeout().toMillis()),
                "consumer.heartbeat.interval.ms",
                Long.toString(settings.heartbeatInterval().toMillis()));
    }

    /** The consumers' own properties for the {@code classic} protocol; none for {@code consumer}. */
    static Map<String, Object> consumerProperties(WorkerProperties.Pool settings) {
        if (!"classic".equalsIgnoreCase(settings.groupProtocol())) {
            return Map.of();
        }
        return Map.of(
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG,
                (int) settings.sessionTimeout().toMillis(),
                ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG,
                (int) settings.heartbeatInterval().toMillis());
    }

    /**
     * Sets the group's session timeout and heartbeat interval ({@code consumer} protocol only).
     *
     * @return whether the cluster took them (false: refused or unreachable, said in a WARN line)
     */
    static boolean apply(Admin admin, String group, WorkerProperties.Pool settings) {
        if ("classic".equalsIgnoreCase(settings.groupProtocol())) {
            return true;
        }
        ConfigResource resource = new ConfigResource(ConfigResource.Type.GROUP, group);
        List<AlterConfigOp> ops = groupConfigs(settings).entrySet().stream()
                .map(e -> new AlterConfigOp(new ConfigEntry(e.getKey(), e.getValue()), AlterConfigOp.OpType.SET))
                .toList();
        try {
            admin.incrementalAlterConfigs(Map.of(resource, ops)).all().get(10, TimeUnit.SECONDS);
            log.info(
                    "group {}: a worker instance that stops heartbeating loses its partitions after {} "
                            + "(heartbeat every {})",
                    group,
                    settings.sessionTimeout(),
                    settings.heartbeatInterval());
            return true;
        } catch (ExecutionException e) {
            log.warn(
                    "group {}: the Kafka cluster refused a session timeout of {} and a heartbeat every {} ({}): the "
                            + "jobs of a worker that dies wait the cluster's session timeout (Kafka's default 45 s) before "
                            + "another instance runs them. Allow it on the brokers with group.consumer.min.session.timeout.ms"
                            + " <= {} and group.consumer.min.heartbeat.interval.ms <= {}, or set "
                            + "infermesh.worker.pool.session-timeout within the cluster's bounds",
                    group,
                    settings.sessionTimeout(),
                    settings.heartbeatInterval(),
                    e.getCause().getMessage(),
                    settings.sessionTimeout().toMillis(),
                    settings.heartbeatInterval().toMillis());
            return false;
        } catch (TimeoutException e) {
            log.warn(
                    "group {}: Kafka did not answer within 10 s when asked for a session timeout of {}; the "
                            + "cluster's own timeout applies",
                    group,
                    settings.sessionTimeout());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
