package dev.tandem.protocol.dhcp;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The option registry: code, name (as Kea and ISC spell it), value type and defining RFC. Options not listed here pass
 * through the codec untouched as raw bytes.
 */
public enum DhcpOption {
    SUBNET_MASK(1, "subnet-mask", OptionType.IPV4, "RFC 2132 §3.3"),
    TIME_OFFSET(2, "time-offset", OptionType.I32, "RFC 2132 §3.4"),
    ROUTERS(3, "routers", OptionType.IPV4_LIST, "RFC 2132 §3.5"),
    DOMAIN_NAME_SERVERS(6, "domain-name-servers", OptionType.IPV4_LIST, "RFC 2132 §3.8"),
    HOST_NAME(12, "host-name", OptionType.STRING, "RFC 2132 §3.14"),
    DOMAIN_NAME(15, "domain-name", OptionType.STRING, "RFC 2132 §3.17"),
    INTERFACE_MTU(26, "interface-mtu", OptionType.U16, "RFC 2132 §5.1"),
    BROADCAST_ADDRESS(28, "broadcast-address", OptionType.IPV4, "RFC 2132 §5.3"),
    NTP_SERVERS(42, "ntp-servers", OptionType.IPV4_LIST, "RFC 2132 §8.3"),
    VENDOR_ENCAPSULATED_OPTIONS(43, "vendor-encapsulated-options", OptionType.BYTES, "RFC 2132 §8.4"),
    NETBIOS_NAME_SERVERS(44, "netbios-name-servers", OptionType.IPV4_LIST, "RFC 2132 §8.5"),
    REQUESTED_ADDRESS(50, "dhcp-requested-address", OptionType.IPV4, "RFC 2132 §9.1"),
    LEASE_TIME(51, "dhcp-lease-time", OptionType.U32, "RFC 2132 §9.2"),
    OPTION_OVERLOAD(52, "dhcp-option-overload", OptionType.U8, "RFC 2132 §9.3"),
    MESSAGE_TYPE(53, "dhcp-message-type", OptionType.U8, "RFC 2132 §9.6"),
    SERVER_IDENTIFIER(54, "dhcp-server-identifier", OptionType.IPV4, "RFC 2132 §9.7"),
    PARAMETER_REQUEST_LIST(55, "dhcp-parameter-request-list", OptionType.U8_LIST, "RFC 2132 §9.8"),
    MESSAGE(56, "dhcp-message", OptionType.STRING, "RFC 2132 §9.9"),
    MAX_MESSAGE_SIZE(57, "dhcp-max-message-size", OptionType.U16, "RFC 2132 §9.10"),
    RENEWAL_TIME(58, "dhcp-renewal-time", OptionType.U32, "RFC 2132 §9.11"),
    REBINDING_TIME(59, "dhcp-rebinding-time", OptionType.U32, "RFC 2132 §9.12"),
    VENDOR_CLASS_IDENTIFIER(60, "vendor-class-identifier", OptionType.STRING, "RFC 2132 §9.13"),
    CLIENT_IDENTIFIER(61, "dhcp-client-identifier", OptionType.BYTES, "RFC 2132 §9.14"),
    TFTP_SERVER_NAME(66, "tftp-server-name", OptionType.STRING, "RFC 2132 §9.4"),
    BOOT_FILE_NAME(67, "boot-file-name", OptionType.STRING, "RFC 2132 §9.5"),
    CLIENT_FQDN(81, "fqdn", OptionType.CLIENT_FQDN, "RFC 4702"),
    RELAY_AGENT_INFORMATION(82, "dhcp-agent-options", OptionType.SUBOPTIONS, "RFC 3046"),
    SUBNET_SELECTION(118, "subnet-selection", OptionType.IPV4, "RFC 3011"),
    DOMAIN_SEARCH(119, "domain-search", OptionType.DOMAIN_LIST, "RFC 3397"),
    CLASSLESS_STATIC_ROUTE(121, "classless-static-route", OptionType.CLASSLESS_ROUTES, "RFC 3442"),
    TFTP_SERVER_ADDRESS(150, "tftp-server-address", OptionType.IPV4_LIST, "RFC 5859");

    /** Pad (RFC 2132 §3.1): not an option, skipped. */
    public static final int PAD = 0;
    /** End (RFC 2132 §3.2). */
    public static final int END = 255;

    private static final Map<Integer, DhcpOption> BY_CODE = new HashMap<>();
    private static final Map<String, DhcpOption> BY_NAME = new HashMap<>();

    static {
        for (DhcpOption option : values()) {
            BY_CODE.put(option.code, option);
            BY_NAME.put(option.name, option);
        }
    }

    private final int code;
    private final String name;
    private final OptionType type;
    private final String reference;

    DhcpOption(int code, String name, OptionType type, String reference) {
        this.code = code;
        this.name = name;
        this.type = type;
        this.reference = reference;
    }

    public int code() {
        return code;
    }

    public String optionName() {
        return name;
    }

    public OptionType type() {
        return type;
    }

    public String reference() {
        return reference;
    }

    public static Optional<DhcpOption> byCode(int code) {
        return Optional.ofNullable(BY_CODE.get(code));
    }

    /** Looks up by registry name ("routers") or by number ("3"). */
    public static Optional<DhcpOption> byName(String nameOrCode) {
        String key = nameOrCode.trim().toLowerCase(Locale.ROOT);
        DhcpOption option = BY_NAME.get(key);
        if (option == null && !key.isEmpty() && key.chars().allMatch(Character::isDigit) && key.length() <= 3) {
            option = BY_CODE.get(Integer.parseInt(key));
        }
        return Optional.ofNullable(option);
    }
}
