package io.baton.coordinator.ratis.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509KeyManager;

/**
 * A key manager whose certificate a test replaces while servers use it, as a node's reload does. Like
 * the one a node uses (gRPC's {@code AdvancedTlsX509KeyManager}) it presents its one certificate whatever
 * CAs the peer names: a TLS server built before a CA roll-over still names only the old CA.
 */
public final class SwitchableKeys extends X509ExtendedKeyManager {
    private volatile X509KeyManager current;

    public SwitchableKeys(TestCertificates.Issued own) {
        use(own);
    }

    /** Connections made from now on present {@code own}. */
    public void use(TestCertificates.Issued own) {
        current = RaftTls.fixed(own.key(), own.certificate(), java.util.List.of(own.certificate()),
                TestCertificates::nodeOf).keys();
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return current.getClientAliases(keyType, null);
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return current.chooseClientAlias(keyType, null, socket);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
        return current.chooseClientAlias(keyType, null, null);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return current.getServerAliases(keyType, null);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return current.chooseServerAlias(keyType, null, socket);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return current.chooseServerAlias(keyType, null, null);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return current.getCertificateChain(alias);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return current.getPrivateKey(alias);
    }
}
