package io.infermesh.worker.pool;

import io.infermesh.contracts.PoolStatus;
import java.util.List;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/** {@code GET /actuator/pools}: each model's pool in this instance — state, workers, busy, backlog, loaded, last wake. */
@Endpoint(id = "pools")
class PoolsEndpoint {

    private final Pools pools;

    PoolsEndpoint(Pools pools) {
        this.pools = pools;
    }

    @ReadOperation
    public List<PoolStatus> pools() {
        return pools.status();
    }
}
