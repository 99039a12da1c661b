package dev.tandem.lease.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.lease.service.FailoverView;
import dev.tandem.protocol.bus.FailoverStatus;
import io.quarkus.logging.Log;
import io.smallrye.reactive.messaging.kafka.Record;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Reads this server's compacted failover-state topic from the beginning: the state of each relationship. */
@ApplicationScoped
public class FailoverStateConsumer {

    private final FailoverView view;
    private final ObjectMapper mapper;

    public FailoverStateConsumer(FailoverView view, ObjectMapper mapper) {
        this.view = view;
        this.mapper = mapper;
    }

    @Incoming("failover-state")
    public void onState(Record<String, String> record) {
        if (record.value() == null) {
            return;
        }
        try {
            FailoverStatus status = mapper.readValue(record.value(), FailoverStatus.class);
            FailoverStatus before = view.status(status.relationship()).orElse(null);
            view.update(status);
            if (before == null || !before.state().equals(status.state())) {
                Log.infof(
                        "Failover relationship %s: this server is %s since %s",
                        status.relationship(), status.state(), status.since());
            }
        } catch (Exception e) {
            Log.warnf("Ignoring an unreadable failover state for %s: %s", record.key(), e.getMessage());
        }
    }
}
