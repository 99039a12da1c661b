package dev.tandem.testsupport;

import dev.tandem.protocol.bus.ServerConfig;
import dev.tandem.protocol.bus.ServerConfig.Range;
import dev.tandem.protocol.bus.ServerConfig.Reservation;
import java.util.List;
import java.util.Map;

/** Configurations for tests: server dhcp-a, identifier 192.0.2.1, offers held 30 s, decline probation 600 s. */
public final class ServerConfigs {

    private ServerConfigs() {}

    /** One scope with one range, default T1 and T2. */
    public static ServerConfig oneScope(
            String subnet,
            String first,
            String last,
            long leaseTime,
            Map<String, String> options,
            List<Reservation> reservations) {
        return new ServerConfig(
                ServerConfig.VERSION,
                "dhcp-a",
                1,
                "192.0.2.1",
                30,
                600,
                List.of(new ServerConfig.Scope(
                        subnet,
                        List.of(new Range(first, last)),
                        List.of(),
                        leaseTime,
                        null,
                        null,
                        options,
                        reservations)));
    }
}
