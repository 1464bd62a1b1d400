package io.baton.node.security;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * The JDK's key and trust managers for certificates and keys already read and checked (by
 * {@link PemFiles}, {@link NodeCredentials}): what gRPC's TLS credentials take. In-memory key stores;
 * nothing is written.
 */
public final class KeyStores {
    private static final char[] NO_PASSWORD = new char[0];

    private KeyStores() {
    }

    /** Presents {@code own} (its certificate and key) in a handshake. */
    public static KeyManager[] keyManagers(Issued own) {
        try {
            KeyStore store = empty();
            store.setKeyEntry("own", own.key(), NO_PASSWORD, new Certificate[] {own.certificate()});
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, NO_PASSWORD);
            return factory.getKeyManagers();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot hold a checked key in a key store: " + e.getMessage(), e);
        }
    }

    /** Trusts certificates signed by one of {@code cas} (one CA, or two during a roll-over). */
    public static TrustManager[] trustManagers(List<X509Certificate> cas) {
        try {
            KeyStore store = empty();
            for (int i = 0; i < cas.size(); i++) {
                store.setCertificateEntry("ca-" + i, cas.get(i));
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            return factory.getTrustManagers();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot hold a checked CA in a trust store: " + e.getMessage(), e);
        }
    }

    private static KeyStore empty() throws GeneralSecurityException {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, NO_PASSWORD);
            return store;
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
    }
}
