package io.baton.coordinator.ratis.tls;

import io.baton.coordinator.net.LogThrottle;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotRequestProto;
import org.apache.ratis.proto.RaftProtos.RaftRpcRequestProto;
import org.apache.ratis.proto.RaftProtos.ReadIndexRequestProto;
import org.apache.ratis.proto.RaftProtos.RequestVoteRequestProto;
import org.apache.ratis.proto.RaftProtos.StartLeaderElectionRequestProto;
import org.apache.ratis.proto.grpc.RaftServerProtocolServiceGrpc;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.thirdparty.io.grpc.ForwardingServerCallListener;
import org.apache.ratis.thirdparty.io.grpc.Grpc;
import org.apache.ratis.thirdparty.io.grpc.Metadata;
import org.apache.ratis.thirdparty.io.grpc.ServerCall;
import org.apache.ratis.thirdparty.io.grpc.ServerCallHandler;
import org.apache.ratis.thirdparty.io.grpc.ServerInterceptor;
import org.apache.ratis.thirdparty.io.grpc.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On the Raft port with TLS, a server-to-server request (vote, append entries, install snapshot, start
 * election, read index) must come from the server it names: its requestor id must be the node of the
 * connection's certificate. Else the call ends with {@code PERMISSION_DENIED} before Ratis sees the
 * request, so one member's certificate cannot vote or append as another member.
 *
 * <p>Ratis's client and admin protocols carry a self-chosen client id, not a node's: they are left to
 * the handshake, which admits only member node certificates ({@link PeerTrust}).
 */
public final class RequestorCheck implements ServerInterceptor {
    private static final Logger log = LoggerFactory.getLogger(RequestorCheck.class);

    private final Function<X509Certificate, Optional<String>> nodeOf;
    private final LogThrottle refusals = new LogThrottle(TimeUnit.MINUTES.toNanos(1), 256);

    public RequestorCheck(Function<X509Certificate, Optional<String>> nodeOf) {
        this.nodeOf = nodeOf;
    }

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
        if (!RaftServerProtocolServiceGrpc.SERVICE_NAME.equals(call.getMethodDescriptor().getServiceName())) {
            return next.startCall(call, headers);
        }
        Optional<String> node = nodeOf(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
        return new Checked<>(next.startCall(call, headers), call, node);
    }

    private Optional<String> nodeOf(SSLSession session) {
        if (session == null) {
            return Optional.empty();
        }
        try {
            Certificate[] chain = session.getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate leaf ? nodeOf.apply(leaf) : Optional.empty();
        } catch (SSLPeerUnverifiedException e) {
            return Optional.empty();
        }
    }

    /** The server id a server-to-server request claims to come from; null for any other message. */
    static String requestorOf(Object message) {
        RaftRpcRequestProto request = null;
        if (message instanceof AppendEntriesRequestProto m) {
            request = m.getServerRequest();
        } else if (message instanceof RequestVoteRequestProto m) {
            request = m.getServerRequest();
        } else if (message instanceof InstallSnapshotRequestProto m) {
            request = m.getServerRequest();
        } else if (message instanceof StartLeaderElectionRequestProto m) {
            request = m.getServerRequest();
        } else if (message instanceof ReadIndexRequestProto m) {
            request = m.getServerRequest();
        }
        return request == null ? null : RaftPeerId.valueOf(request.getRequestorId()).toString();
    }

    private final class Checked<Q, A> extends ForwardingServerCallListener.SimpleForwardingServerCallListener<Q> {
        private final ServerCall<Q, A> call;
        private final Optional<String> node;
        /** Set once the call is refused: gRPC calls a listener from one thread at a time. */
        private boolean refused;

        Checked(ServerCall.Listener<Q> delegate, ServerCall<Q, A> call, Optional<String> node) {
            super(delegate);
            this.call = call;
            this.node = node;
        }

        @Override
        public void onMessage(Q message) {
            if (refused) {
                return;
            }
            String requestor = requestorOf(message);
            String problem = requestor == null ? "unexpected message " + message.getClass().getSimpleName()
                    : PeerIdentity.requestorProblem(node, requestor);
            if (problem == null) {
                super.onMessage(message);
                return;
            }
            refused = true;
            long held = refusals.occurrence(problem, System.nanoTime());
            if (held >= 0) {
                log.warn("raft port: refused {}: {}{}", call.getMethodDescriptor().getBareMethodName(), problem,
                        held > 0 ? " (" + held + " more in the last minute)" : "");
            }
            call.close(Status.PERMISSION_DENIED.withDescription("permission denied: " + problem), new Metadata());
        }

        @Override
        public void onHalfClose() {
            // A refused unary call has no request: Ratis's handler would close the call a second time.
            if (!refused) {
                super.onHalfClose();
            }
        }
    }
}
