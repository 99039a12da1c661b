package dev.tandem.lease.messaging;

import dev.tandem.lease.service.FailoverBindings;
import dev.tandem.protocol.bus.BindingAck;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** The partner's acknowledgements of our binding updates, relayed by the coordinator. */
@ApplicationScoped
public class BindingAckConsumer {

    private final FailoverBindings bindings;

    public BindingAckConsumer(FailoverBindings bindings) {
        this.bindings = bindings;
    }

    @Incoming("binding-acks")
    public Uni<Void> onAck(BindingAck ack) {
        if (ack == null) {
            return Uni.createFrom().voidItem();
        }
        return bindings.acknowledge(ack).onFailure().recoverWithItem(e -> {
            Log.warnf(
                    "Recording the partner's ack of %s failed: %s; it stays unacknowledged and is resent",
                    ack.address(), e.toString());
            return null;
        });
    }
}
