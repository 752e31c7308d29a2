package dev.cronhook.core.net;

import java.net.InetAddress;

/** A user-given host resolved to a private address that the operator did not allow. */
public class PrivateAddressException extends RuntimeException {
    public PrivateAddressException(String host, int port, InetAddress address) {
        super(host + ":" + port + " resolves to " + address.getHostAddress()
                + ", a private address (an operator can allow it with CRONHOOK_EGRESS_ALLOW_PRIVATE)");
    }
}
