package dev.tandem.system;

/** The start-order matrix with Tandem as the secondary and ISC dhcpd as the primary. */
class IscStartOrderMatrixTandemSecondaryTest extends IscStartOrderMatrix {

    @Override
    String tandemRole() {
        return "secondary";
    }
}
