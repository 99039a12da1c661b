package dev.tandem.admin.service;

/** Optimistic concurrency: a change names the version it read (If-Match), and fails when another came first. */
final class Versions {

    private Versions() {}

    /** @param expected the version the caller read, or null for an unconditional change */
    static void check(String what, long current, Long expected) {
        if (expected != null && expected != current) {
            throw ApiError.preconditionFailed(what, current);
        }
    }
}
