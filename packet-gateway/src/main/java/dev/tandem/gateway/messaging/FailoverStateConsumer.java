package dev.tandem.gateway.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.gateway.service.FailoverStates;
import dev.tandem.protocol.bus.FailoverStatus;
import io.quarkus.logging.Log;
import io.smallrye.reactive.messaging.kafka.Record;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Reads this server's failover-state topic from the start; every gateway instance reads all of it. */
@ApplicationScoped
public class FailoverStateConsumer {

    private final FailoverStates states;
    private final ObjectMapper mapper;

    public FailoverStateConsumer(FailoverStates states, ObjectMapper mapper) {
        this.states = states;
        this.mapper = mapper;
    }

    @Incoming("failover-state")
    public void onState(Record<String, String> record) {
        if (record.value() == null) {
            return;
        }
        try {
            FailoverStatus status = mapper.readValue(record.value(), FailoverStatus.class);
            FailoverStatus before = states.get(status.relationship()).orElse(null);
            states.update(status);
            if (before == null || !before.state().equals(status.state())) {
                Log.infof("Failover %s: this server is %s", status.relationship(), status.state());
            }
        } catch (Exception e) {
            Log.warnf("Ignoring an unreadable failover state for %s: %s", record.key(), e.getMessage());
        }
    }
}
