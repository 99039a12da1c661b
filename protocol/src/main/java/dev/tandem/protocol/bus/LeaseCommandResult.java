package dev.tandem.protocol.bus;

/**
 * The outcome of a {@link LeaseCommand} (schema {@code lease-command-result.v1}), sent once committed.
 *
 * @param outcome {@link #RELEASED} (an active lease ended), {@link #NOT_HELD} (the address has no active lease), {@link #DONE} (a reclaim ran: {@code count} rows ended),
 *     {@link #REFUSED} (the command cannot be carried out: {@code detail} says why)
 * @param count rows changed
 * @param detail a sentence for the operator
 */
public record LeaseCommandResult(
        int version, String command, String address, String outcome, int count, String detail) {

    public static final int VERSION = 1;
    public static final String RELEASED = "released";
    public static final String NOT_HELD = "not-held";
    public static final String DONE = "done";
    public static final String REFUSED = "refused";
}
