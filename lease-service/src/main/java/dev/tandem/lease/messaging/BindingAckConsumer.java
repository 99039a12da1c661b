package dev.tandem.lease.messaging;

import dev.tandem.lease.service.FailoverBindings;
import dev.tandem.protocol.bus.BindingAck;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Objects;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * The partner's acknowledgements of our binding updates, relayed by the coordinator, recorded a batch per commit (one
 * commit per ack would cost the disk a flush per lease).
 */
@ApplicationScoped
public class BindingAckConsumer {

    private final FailoverBindings bindings;

    public BindingAckConsumer(FailoverBindings bindings) {
        this.bindings = bindings;
    }

    @Incoming("binding-acks")
    public Uni<Void> onAcks(List<BindingAck> batch) {
        List<BindingAck> acks = batch.stream().filter(Objects::nonNull).toList();
        return bindings.acknowledge(acks).onFailure().recoverWithItem(e -> {
            Log.warnf(
                    "Recording %d acks of the partner failed: %s; those bindings stay unacknowledged and are resent",
                    acks.size(), e.toString());
            return null;
        });
    }
}
