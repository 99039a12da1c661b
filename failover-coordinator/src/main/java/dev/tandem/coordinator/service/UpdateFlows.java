package dev.tandem.coordinator.service;

import dev.tandem.coordinator.config.CoordinatorConfig;
import dev.tandem.coordinator.peer.Channel;
import dev.tandem.protocol.bus.BindingUpdate;
import dev.tandem.protocol.config.RelationshipConfig;
import dev.tandem.protocol.config.ScopeConfig;
import dev.tandem.protocol.failover.FailoverMessage;
import dev.tandem.protocol.net.Ipv4;
import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;

/**
 * The binding updates of a relationship, both ways, and the requests for them, wired to each other: our updates
 * ({@link OutboundUpdates}), the partner's ({@link InboundUpdates}) and UPDREQ/UPDREQALL/UPDDONE
 * ({@link UpdateRequests}). What the three need of the rest of the relationship comes through {@link Hooks}.
 */
final class UpdateFlows {

    /** What the flows tell the relationship, on its context. */
    interface Hooks {
        /** A binding of the partner's arrived (a joining scope's full update counts it while we ask for all). */
        void arrived(Ipv4 address, boolean fullUpdateAsked);

        /** Our update of this number was queued for the partner: the state goes with the database up to it. */
        void queued(long sequence);

        /** A sign that a wait is moving. */
        void progress();

        /** The configuration revision the lease-service must have to apply the partner's update. */
        long revision();

        /** We ask the partner for all its bindings. */
        void askingAll();

        /** The partner's UPDDONE for our request counts (every update before it applied here). */
        void partnerDone(boolean askedAll);
    }

    final OutboundUpdates ours;
    final InboundUpdates theirs;
    final UpdateRequests requests;
    private final Hooks hooks;

    UpdateFlows(
            RelationshipConfig config,
            CoordinatorConfig.Failover settings,
            Link link,
            RelationshipRunner.Bus bus,
            LeaseServiceCommands commands,
            Actor actor,
            Metrics metrics,
            Clock clock,
            Supplier<List<ScopeConfig>> pools,
            Hooks hooks) {
        this.hooks = hooks;
        InboundUpdates[] partner = new InboundUpdates[1];
        this.ours = new OutboundUpdates(
                config.name(), settings, link, bus, commands, metrics, clock, pools, a -> partner[0].deciding(a));
        this.requests =
                new UpdateRequests(config.name(), link, ours, commands, clock, hooks::askingAll, hooks::partnerDone);
        this.theirs = new InboundUpdates(
                config, settings, link, ours, bus, actor, metrics, clock, new InboundUpdates.Around() {
                    @Override
                    public boolean resending() {
                        return requests.resending();
                    }

                    @Override
                    public void arrived(Ipv4 address) {
                        hooks.arrived(address, requests.awaiting() && requests.askedAll());
                    }

                    @Override
                    public void sendBack(BindingUpdate update) {
                        queueOurs(update);
                    }

                    @Override
                    public void addressFree() {
                        ours.pump();
                    }

                    @Override
                    public void decided() {
                        requests.settleUpdateDone();
                    }

                    @Override
                    public void superseded() {
                        requests.settleOwed();
                    }

                    @Override
                    public void progress() {
                        hooks.progress();
                    }

                    @Override
                    public long revision() {
                        return hooks.revision();
                    }
                });
        partner[0] = theirs;
        requests.theirs(theirs);
    }

    /** Our update from the lease-service: to send within the partner's window unless stale or outside the pools. */
    void queueOurs(BindingUpdate update) {
        if (ours.queue(update)) {
            hooks.queued(update.sequence());
            theirs.markCrossedHeld(update);
            ours.pump();
        }
    }

    /** The partner's answer to one of ours. */
    void onBindingAck(FailoverMessage message) {
        ours.onBindingAck(message).ifPresent(answer -> {
            theirs.answered(answer.xid(), answer.update(), answer.taken());
            ours.pump();
            requests.settleOwed();
        });
    }

    /** A resend of the lease-service ended (its end marker). */
    void resendEnded(String requestId) {
        ours.resendEnded(requestId);
        requests.resendEnded(requestId);
        theirs.releaseHeld();
    }

    /** The partner's update. */
    void onBindingUpdate(Channel connection, FailoverMessage message) {
        theirs.onBindingUpdate(connection, message);
    }

    /** The link is lost: each flow forgets what belonged to it. */
    void linkLost() {
        ours.linkLost();
        theirs.linkLost();
        requests.linkLost();
    }
}
