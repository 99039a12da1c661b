package dev.tandem.protocol.bus;

import java.util.HexFormat;

/**
 * The identity a lease belongs to: the client identifier (option 61) when the client sends one, else the hardware type
 * and address (RFC 2131 §4.2: "the combination of 'client identifier' or 'chaddr' and assigned network address").
 */
public final class ClientKeys {

    private ClientKeys() {}

    public static String of(byte[] clientId, int htype, byte[] hardwareAddress) {
        if (clientId != null && clientId.length > 0) {
            return "id:" + HexFormat.of().formatHex(clientId);
        }
        return "hw:" + htype + ":" + HexFormat.of().formatHex(hardwareAddress);
    }
}
