package io.baton.node.admin;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * The admin API's authorisation on a TLS port: the TLS handshake has already required a client
 * certificate of the cluster's CA; this names the caller from it ({@link AdminCaller}), refuses a call
 * its role does not allow ({@link AdminPermissions}: PERMISSION_DENIED, before the call's message is
 * read, so nothing is proposed), and hands the caller to the call ({@link #CALLER}) for the audit trail.
 */
final class AdminAuth implements ServerInterceptor {
    /** The caller of the call in progress; absent on a port without TLS. */
    static final Context.Key<AdminCaller> CALLER = Context.key("baton-admin-caller");

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
                                                      ServerCallHandler<Q, A> next) {
        Optional<X509Certificate> certificate = peerCertificate(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
        if (certificate.isEmpty()) {
            return refuse(call, Status.UNAUTHENTICATED.withDescription("no client certificate"));
        }
        Optional<AdminCaller> caller = AdminCaller.of(certificate.get());
        if (caller.isEmpty()) {
            return refuse(call, Status.PERMISSION_DENIED.withDescription(AdminPermissions.DENIED + ": the certificate '"
                    + AdminCaller.commonName(certificate.get()) + "' has no Baton role (issue one with batonctl certs issue)"));
        }
        String problem = AdminPermissions.problem(caller.get(), call.getMethodDescriptor().getBareMethodName());
        if (problem != null) {
            return refuse(call, Status.PERMISSION_DENIED.withDescription(problem));
        }
        return Contexts.interceptCall(Context.current().withValue(CALLER, caller.get()), call, headers, next);
    }

    private static <Q, A> ServerCall.Listener<Q> refuse(ServerCall<Q, A> call, Status status) {
        call.close(status, new Metadata());
        return new ServerCall.Listener<>() {};
    }

    private static Optional<X509Certificate> peerCertificate(SSLSession session) {
        if (session == null) {
            return Optional.empty();
        }
        try {
            Certificate[] chain = session.getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate leaf ? Optional.of(leaf) : Optional.empty();
        } catch (SSLPeerUnverifiedException e) {
            return Optional.empty();
        }
    }
}
