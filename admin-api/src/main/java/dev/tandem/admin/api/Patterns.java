package dev.tandem.admin.api;

/** Shapes checked on the way in; the meaning (subnets, ranges, options) is checked by the configuration validator. */
final class Patterns {

    static final String NAME = "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?";
    static final String NAME_MESSAGE = "must be 1-63 lower-case letters, digits or '-'";
    static final String IPV4 =
            "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}";
    static final String IPV4_MESSAGE = "must be an IPv4 address a.b.c.d";

    private Patterns() {}
}
