package dev.tandem.coordinator.service;

import dev.tandem.coordinator.config.CoordinatorConfig;
import java.time.Duration;
import java.util.Optional;

/** Failover settings for runners in a test: short startup, no pool balancing timer, the unacked recheck given, the stall check off unless given. */
final class TestSettings {

    private TestSettings() {}

    static CoordinatorConfig.Failover failover(Duration unackedRecheck) {
        return failover(unackedRecheck, "tandem-test");
    }

    /** With the vendor class this server sends in CONNECT and CONNECTACK (ISC dhcpd sends "isc-4.4.3-P1"). */
    static CoordinatorConfig.Failover failover(Duration unackedRecheck, String vendorClass) {
        return failover(unackedRecheck, vendorClass, Duration.ZERO);
    }

    /** With the stall bound of a state that serves nobody (0: no check). */
    static CoordinatorConfig.Failover failover(Duration unackedRecheck, String vendorClass, Duration stallAfter) {
        return failover(unackedRecheck, vendorClass, stallAfter, Duration.ZERO);
    }

    /** With how long an update may stay unanswered after a later one was answered (0: no check). */
    static CoordinatorConfig.Failover failover(
            Duration unackedRecheck, String vendorClass, Duration stallAfter, Duration unansweredAfter) {
        return new CoordinatorConfig.Failover() {
            public Duration startupTime() {
                return Duration.ofMillis(200);
            }

            public Duration reconnectInterval() {
                return Duration.ofMillis(500);
            }

            public Duration handshakeTimeout() {
                return Duration.ofSeconds(5);
            }

            public Duration maxClockSkew() {
                return Duration.ofSeconds(60);
            }

            public CoordinatorConfig.Tls tls() {
                return null;
            }

            public String vendorClass() {
                return vendorClass;
            }

            public Duration maintenanceDrain() {
                return Duration.ofSeconds(1);
            }

            public Optional<String> listenAddress() {
                return Optional.empty();
            }

            public Duration poolBalanceInterval() {
                return Duration.ZERO;
            }

            public Duration updateTimeout() {
                return Duration.ofSeconds(5);
            }

            public Duration unackedRecheckInterval() {
                return unackedRecheck;
            }

            public Duration stallAfter() {
                return stallAfter;
            }

            public Duration unansweredAfter() {
                return unansweredAfter;
            }

            @Override
            public CoordinatorConfig.DataPath dataPath() {
                throw new UnsupportedOperationException("a runner is told of its data path, it does not watch it");
            }
        };
    }
}
