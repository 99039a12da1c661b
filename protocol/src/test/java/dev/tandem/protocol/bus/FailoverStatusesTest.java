package dev.tandem.protocol.bus;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class FailoverStatusesTest {

    static String status(String relationship, String updatedAt) {
        return "{\"version\":1,\"server\":\"dhcp-a\",\"relationship\":\"" + relationship
                + "\",\"state\":\"NORMAL\",\"updatedAt\":\"" + updatedAt + "\"}";
    }

    /** The newest publication of any relationship's state: what a lease-service reports in its heartbeat. */
    @Test
    void newestIsTheLatestPublicationOfAnyRelationship() {
        FailoverStatuses statuses = new FailoverStatuses();
        assertThat(statuses.newest()).as("nothing held").isEmpty();
        statuses.accept(status("one", "2026-01-01T00:00:05Z"));
        statuses.accept(status("two", "2026-01-01T00:00:03Z"));
        assertThat(statuses.newest()).contains(Instant.parse("2026-01-01T00:00:05Z"));
        statuses.accept(status("two", "2026-01-01T00:00:09Z"));
        assertThat(statuses.newest()).contains(Instant.parse("2026-01-01T00:00:09Z"));
    }
}
