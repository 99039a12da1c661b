package dev.tandem.lease.domain;

import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The DHCID record data of a client and a name (RFC 4701 §3.3): identifier type, digest type 1 (SHA-256), and the
 * SHA-256 of the client's identity followed by the name in canonical wire form. Two servers compute the same value for
 * the same client, so either may update the name the other registered (RFC 4703 §5.4).
 */
public final class Dhcid {

    private Dhcid() {}

    /**
     * @param clientKey {@code id:<hex>} (option 61: identifier type 1, or 2 with the DUID of an RFC 4361 client
     *     identifier) or {@code hw:<htype>:<hex>} (identifier type 0: htype and chaddr)
     * @param fqdn absolute name
     */
    public static byte[] of(String clientKey, String fqdn) {
        int type;
        byte[] identity;
        if (clientKey.startsWith("id:")) {
            byte[] id = HexFormat.of().parseHex(clientKey.substring(3));
            if ((id[0] & 0xff) == 0xff && id.length > 5) {
                type = 2;
                identity = java.util.Arrays.copyOfRange(id, 5, id.length);
            } else {
                type = 1;
                identity = id;
            }
        } else if (clientKey.startsWith("hw:")) {
            int colon = clientKey.indexOf(':', 3);
            byte[] hw = HexFormat.of().parseHex(clientKey.substring(colon + 1));
            type = 0;
            identity = new byte[hw.length + 1];
            identity[0] = (byte) Integer.parseInt(clientKey.substring(3, colon));
            System.arraycopy(hw, 0, identity, 1, hw.length);
        } else {
            throw new IllegalArgumentException("not a client key: " + clientKey);
        }
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        sha256.update(identity);
        byte[] digest = sha256.digest(wire(fqdn));
        byte[] out = new byte[3 + digest.length];
        out[0] = (byte) (type >> 8);
        out[1] = (byte) type;
        out[2] = 1;
        System.arraycopy(digest, 0, out, 3, digest.length);
        return out;
    }

    /** The name in canonical wire form (RFC 4034 §6.2: lower case, no compression). */
    static byte[] wire(String fqdn) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String label : fqdn.toLowerCase(Locale.ROOT).split("\\.")) {
            if (!label.isEmpty()) {
                out.write(label.length());
                out.writeBytes(label.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            }
        }
        out.write(0);
        return out.toByteArray();
    }
}
