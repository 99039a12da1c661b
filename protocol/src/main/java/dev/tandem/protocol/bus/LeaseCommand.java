package dev.tandem.protocol.bus;

/**
 * An operator's lease operation (schema {@code lease-command.v1}), from the admin API through the server's coordinator
 * to its lease-service on {@code tandem.<server>.lease-commands} (request-reply; the answer is a
 * {@link LeaseCommandResult}).
 *
 * @param command {@link #RELEASE}: end the active lease of {@code address} as if its client had released it (in a failover
 *     scope the partner learns it by a binding update, as of any release); {@link #RECLAIM}: end now every lease,
 *     offer and decline probation that has run out, without waiting for the next reclaim pass
 * @param address {@link #RELEASE} only
 * @param by who asked (the admin API's user), for the log
 * @param at when it was asked (the coordinator's clock): the lease-service refuses a command older than
 *     {@link #MAX_AGE}, so a command read late (a lease-service restarted, a consumer group reset) never ends a lease
 *     given after the operator's request timed out
 */
public record LeaseCommand(int version, String command, String address, String by, java.time.Instant at) {

    /**
     * A command older than this is refused; well inside the 10 s the coordinator waits for the answer, so one carried
     * out is answered in time, and an operator told of a timeout may ask again.
     */
    public static final java.time.Duration MAX_AGE = java.time.Duration.ofSeconds(5);

    public static final int VERSION = 1;
    public static final String RELEASE = "release";
    public static final String RECLAIM = "reclaim";
}
