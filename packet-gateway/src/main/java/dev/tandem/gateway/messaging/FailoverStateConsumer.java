package dev.tandem.gateway.messaging;

import dev.tandem.gateway.service.FailoverStates;
import io.quarkus.logging.Log;
import io.smallrye.reactive.messaging.kafka.Record;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Reads this server's failover-state topic from the start; every gateway instance reads all of it. */
@ApplicationScoped
public class FailoverStateConsumer {

    private final FailoverStates states;

    public FailoverStateConsumer(FailoverStates states) {
        this.states = states;
    }

    @Incoming("failover-state")
    public void onState(Record<String, String> record) {
        if (record.value() == null) {
            return;
        }
        try {
            states.accept(record.value())
                    .ifPresent(s -> Log.infof("Failover %s: this server is %s", s.relationship(), s.state()));
        } catch (IllegalArgumentException e) {
            Log.warnf("Ignoring the failover state of %s: %s", record.key(), e.getMessage());
        }
    }
}
