package dev.tandem.admin.api;

/** Shapes checked on the way in; the meaning (subnets, ranges, options) is checked by the configuration validator. */
public final class Patterns {

    public static final String NAME = "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?";
    public static final String NAME_MESSAGE = "must be 1-63 lower-case letters, digits or '-'";
    public static final String IPV4 =
            "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}";
    public static final String IPV4_MESSAGE = "must be an IPv4 address a.b.c.d";

    /** A subnet a.b.c.d/n, or its address alone (a scope is named by either). */
    public static final String SUBNET = IPV4 + "(/([0-9]|[12][0-9]|3[0-2]))?";

    public static final String SUBNET_MESSAGE = "must be a subnet a.b.c.d/n or its address a.b.c.d";
    public static final String HEX = "[0-9a-fA-F]{2}([:.-]?[0-9a-fA-F]{2}){0,127}";
    public static final String HEX_MESSAGE = "must be hex octets, as 01:02:00:5e:00:00:01 or 0102005e000001";
    /** A lease state, as the lease-service names them, in either case. */
    public static final String LEASE_STATE = "(?i)free|offered|active|released|expired|declined";

    public static final String LEASE_STATE_MESSAGE = "must be free, offered, active, released, expired or declined";

    private Patterns() {}
}
