package io.baton.node.cli;

import io.baton.node.config.TlsConfig;
import io.baton.node.security.CertificateException;
import io.baton.node.security.KeyStores;
import io.baton.node.security.NodeCredentials;
import io.grpc.ChannelCredentials;
import io.grpc.TlsChannelCredentials;
import io.grpc.util.AdvancedTlsX509KeyManager;
import java.security.cert.X509Certificate;
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
        // The key straight into a key manager: a PKCS12 key store would first encrypt it with PBKDF2,
        // which costs batonctl tens of milliseconds of every call for nothing.
        AdvancedTlsX509KeyManager keys = new AdvancedTlsX509KeyManager();
        keys.updateIdentityCredentials(new X509Certificate[] {checked.own().certificate()}, checked.own().key());
        return TlsChannelCredentials.newBuilder()
                .keyManager(keys)
                .trustManager(KeyStores.trustManagers(checked.trusted()))
                .build();
    }
}
