package io.baton.node.cli;

import io.baton.node.config.TlsConfig;
import io.baton.node.security.CertificateException;
import io.baton.node.security.KeyStores;
import io.baton.node.security.NodeCredentials;
import io.grpc.ChannelCredentials;
import io.grpc.TlsChannelCredentials;
import java.time.Instant;

/**
 * batonctl's TLS: its certificate (an operator's, or a node's for reading) presented to the node, and
 * the node's certificate checked against the cluster's CA and the address dialled. The files are
 * checked first, so that a wrong one is one line naming it rather than a failed handshake.
 */
final class ClientTls {
    private ClientTls() {
    }

    static ChannelCredentials credentials(TlsConfig.Files files, Instant now) throws CertificateException {
        NodeCredentials checked = NodeCredentials.loadAnyIdentity(files, now);
        return TlsChannelCredentials.newBuilder()
                .keyManager(KeyStores.keyManagers(checked.own()))
                .trustManager(KeyStores.trustManagers(checked.trusted()))
                .build();
    }
}
