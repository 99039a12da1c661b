package dev.tandem.system;

/** The start-order matrix with Tandem as the primary and ISC dhcpd as the secondary. */
class IscStartOrderMatrixTandemPrimaryTest extends IscStartOrderMatrix {

    @Override
    String tandemRole() {
        return "primary";
    }
}
