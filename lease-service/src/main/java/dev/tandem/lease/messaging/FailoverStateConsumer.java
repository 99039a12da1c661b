package dev.tandem.lease.messaging;

import dev.tandem.lease.service.FailoverView;
import io.quarkus.logging.Log;
import io.smallrye.reactive.messaging.kafka.Record;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Reads this server's compacted failover-state topic from the beginning: the state of each relationship. */
@ApplicationScoped
public class FailoverStateConsumer {

    private final FailoverView view;
    /** Relationships whose state belongs to another lease database, warned about once. */
    private final java.util.Set<String> otherStore = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public FailoverStateConsumer(FailoverView view) {
        this.view = view;
    }

    @Incoming("failover-state")
    public void onState(Record<String, String> record) {
        if (record.value() == null) {
            return;
        }
        try {
            view.statuses()
                    .accept(record.value())
                    .ifPresent(s -> Log.infof(
                            "Failover relationship %s: this server is %s since %s",
                            s.relationship(), s.state(), s.since()));
            view.statuses().get(record.key()).ifPresent(s -> {
                if (!view.otherStore(s)) {
                    otherStore.remove(s.relationship());
                } else if (otherStore.add(s.relationship())) {
                    Log.warnf(
                            "Failover relationship %s: its state was recorded with lease database %s, not this"
                                    + " one: its scopes are not served until the coordinator has recovered them",
                            s.relationship(), s.leaseStore());
                }
            });
        } catch (IllegalArgumentException e) {
            Log.warnf("Ignoring the failover state of %s: %s", record.key(), e.getMessage());
        }
    }
}
