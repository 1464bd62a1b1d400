package io.baton.coordinator.ratis.tls;

import com.google.protobuf.InvalidProtocolBufferException;
import io.baton.coordinator.net.LogThrottle;
import io.baton.proto.Command;
import io.baton.proto.LeaderQuery;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotRequestProto;
import org.apache.ratis.proto.RaftProtos.RaftClientRequestProto;
import org.apache.ratis.proto.RaftProtos.RaftRpcRequestProto;
import org.apache.ratis.proto.RaftProtos.ReadIndexRequestProto;
import org.apache.ratis.proto.RaftProtos.RequestVoteRequestProto;
import org.apache.ratis.proto.RaftProtos.StartLeaderElectionRequestProto;
import org.apache.ratis.proto.grpc.RaftClientProtocolServiceGrpc;
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
 * <p>Ratis's client protocol carries a self-chosen client id, not a node's, so there the command says
 * who proposes it: a write must name the node of the connection's certificate as its proposer
 * ({@code Command.proposer}); what that node may propose is the state machine's check
 * ({@code CommandAuthority}). Ratis's admin protocol is left to the handshake, which admits only member
 * node certificates ({@link PeerTrust}).
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
        String service = call.getMethodDescriptor().getServiceName();
        BiFunction<Optional<String>, Object, String> check;
        if (RaftServerProtocolServiceGrpc.SERVICE_NAME.equals(service)) {
            check = RequestorCheck::requestorProblem;
        } else if (RaftClientProtocolServiceGrpc.SERVICE_NAME.equals(service)) {
            check = RequestorCheck::proposalProblem;
        } else {
            return next.startCall(call, headers);
        }
        Optional<String> node = nodeOf(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
        return new Checked<>(next.startCall(call, headers), call, message -> check.apply(node, message));
    }

    /** Null when a server-to-server message comes from the node of the connection's certificate. */
    static String requestorProblem(Optional<String> node, Object message) {
        String requestor = requestorOf(message);
        return requestor == null ? "unexpected message " + message.getClass().getSimpleName()
                : PeerIdentity.requestorProblem(node, requestor);
    }

    /**
     * Null when a client request may go to Ratis: a read (a heartbeat read naming the node of the
     * connection's certificate as its proposer), a watch, or a write whose command names the
     * node of the connection's certificate as its proposer (the state machine then checks what that
     * node may propose). Ratis's streaming requests are not Baton's and are refused.
     */
    static String proposalProblem(Optional<String> node, Object message) {
        if (!(message instanceof RaftClientRequestProto request)) {
            return "unexpected message " + message.getClass().getSimpleName();
        }
        switch (request.getTypeCase()) {
            case READ:
                // A heartbeat read speaks for a node as a heartbeat does: only that node's own.
                try {
                    LeaderQuery query = LeaderQuery.parseFrom(request.getMessage().getContent().toByteArray());
                    return query.hasConfirm() ? PeerIdentity.proposerProblem(node, query.getConfirm().getProposer()) : null;
                } catch (InvalidProtocolBufferException e) {
                    return null; // not a heartbeat read: the state machine answers it or refuses it
                }
            case STALEREAD:
            case WATCH:
                return null;
            case WRITE:
                Command command;
                try {
                    command = Command.parseFrom(request.getMessage().getContent().toByteArray());
                } catch (InvalidProtocolBufferException e) {
                    return "a write that is not a Baton command";
                }
                return PeerIdentity.proposerProblem(node, command.getProposer());
            default:
                return "a " + request.getTypeCase() + " request, which Baton does not use";
        }
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
        private final Function<Object, String> check;
        /** Set once the call is refused: gRPC calls a listener from one thread at a time. */
        private boolean refused;

        Checked(ServerCall.Listener<Q> delegate, ServerCall<Q, A> call, Function<Object, String> check) {
            super(delegate);
            this.call = call;
            this.check = check;
        }

        @Override
        public void onMessage(Q message) {
            if (refused) {
                return;
            }
            String problem = check.apply(message);
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
