package io.baton.node.cli;

import io.baton.node.admin.AdminService;
import io.baton.node.admin.NameRule;
import io.baton.proto.Event;
import io.baton.proto.admin.BatonAdminGrpc;
import io.baton.proto.admin.BatonAdminGrpc.BatonAdminBlockingStub;
import io.baton.proto.admin.ClusterStatus;
import io.baton.proto.admin.StatusRequest;
import io.baton.proto.admin.WatchRequest;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * gRPC connection (TLS with a client certificate, or plaintext) to the first admin endpoint that answers.
 *
 * <p>Every call carries a deadline of {@code timeout}. A call that fails with UNAVAILABLE or DEADLINE_EXCEEDED
 * (connection refused, unknown host, node shutting down, ...) is retried on the next endpoint; the endpoint that
 * answered last is tried first by later calls. Any other status is the server's answer and ends the call with a
 * {@link CtlException} carrying the status description. Channels are created lazily and closed by {@link #close()}.
 */
final class AdminConnection implements AutoCloseable {
    /** The most header bytes read from an answer (gRPC's default is 8 KiB). */
    static final int MAX_ANSWER_HEADERS_BYTES = 1024 * 1024;
    /** The longest reason shown from a server's answer, in characters. */
    static final int MAX_REASON_CHARS = 500;

    private final List<Endpoint> endpoints;
    private final Duration timeout;
    private final ManagedChannel[] channels;
    private final Optional<ChannelCredentials> tls;
    private int preferred;

    AdminConnection(List<Endpoint> endpoints, Duration timeout) {
        this(endpoints, timeout, Optional.empty());
    }

    AdminConnection(List<Endpoint> endpoints, Duration timeout, Optional<ChannelCredentials> tls) {
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("no endpoint");
        }
        this.endpoints = List.copyOf(endpoints);
        this.timeout = timeout;
        this.channels = new ManagedChannel[endpoints.size()];
        this.tls = tls;
    }

    /** The endpoint that answered last (or the first one before any call). */
    Endpoint current() {
        return endpoints.get(preferred);
    }

    ClusterStatus status() {
        return call(stub -> stub.status(StatusRequest.getDefaultInstance()));
    }

    /** Runs a unary call with failover; throws CtlException on refusal or when no endpoint answers. */
    <T> T call(Function<BatonAdminBlockingStub, T> rpc) {
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < endpoints.size(); i++) {
            int index = (preferred + i) % endpoints.size();
            BatonAdminBlockingStub stub = BatonAdminGrpc.newBlockingStub(channel(index))
                    .withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS);
            try {
                T result = rpc.apply(stub);
                preferred = index;
                return result;
            } catch (StatusRuntimeException e) {
                if (!isUnreachable(e.getStatus())) {
                    preferred = index;
                    if (e.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
                        throw new CtlException(endpoints.get(index) + " is not a Baton admin endpoint ("
                                + describe(e.getStatus()) + ")");
                    }
                    throw refusal(e);
                }
                failures.add(endpoints.get(index) + ": " + unreachableReason(e));
            }
        }
        throw new CtlException("no endpoint answered (" + String.join(", ", failures) + ")", true);
    }

    /**
     * Recent events, then (with follow) new ones until the server completes the stream.
     * Without follow the whole answer is read under the deadline (with failover) before it is returned.
     * With follow, the endpoint is chosen by a Status call (with failover), then the stream is opened
     * there without a deadline; a stream that breaks later throws CtlException from the iterator.
     */
    Iterator<Event> watch(WatchRequest request) {
        if (!request.getFollow()) {
            return call(stub -> {
                List<Event> events = new ArrayList<>();
                stub.watch(request).forEachRemaining(events::add);
                return events;
            }).iterator();
        }
        status();
        Endpoint endpoint = current();
        Iterator<Event> stream = BatonAdminGrpc.newBlockingStub(channel(preferred)).watch(request);
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                try {
                    return stream.hasNext();
                } catch (StatusRuntimeException e) {
                    if (isUnreachable(e.getStatus())) {
                        throw new CtlException("lost " + endpoint + ": " + unreachableReason(e));
                    }
                    throw refusal(e);
                }
            }

            @Override
            public Event next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return stream.next();
            }
        };
    }

    private ManagedChannel channel(int index) {
        if (channels[index] == null) {
            Endpoint e = endpoints.get(index);
            channels[index] = Grpc.newChannelBuilderForAddress(e.host(), e.port(),
                            tls.orElseGet(InsecureChannelCredentials::create))
                    // A refusal's text travels in a header: a node from before the name limits echoed
                    // whole names there, and over gRPC's 8 KiB default the answer was only "http2 exception".
                    .maxInboundMetadataSize(MAX_ANSWER_HEADERS_BYTES)
                    .build();
        }
        return channels[index];
    }

    /**
     * Whether the endpoint could not be reached, so the next one should be tried. A node that answered
     * UNAVAILABLE because the cluster has no quorum did answer: every other node would say the same.
     */
    private static boolean isUnreachable(Status status) {
        if (status.getCode() == Status.Code.UNAVAILABLE && status.getDescription() != null
                && status.getDescription().startsWith(AdminService.NO_QUORUM)) {
            return false;
        }
        return status.getCode() == Status.Code.UNAVAILABLE || status.getCode() == Status.Code.DEADLINE_EXCEEDED;
    }

    /** The server's answer as a one-line CtlException: its status description, else the code in words. */
    static CtlException refusal(StatusRuntimeException e) {
        return new CtlException(describe(e.getStatus()));
    }

    static String describe(Status status) {
        String description = status.getDescription();
        if (description != null && !description.isBlank()) {
            return printable(oneLine(description));
        }
        return status.getCode().name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }

    private String unreachableReason(StatusRuntimeException e) {
        if (e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED) {
            return "timed out after " + DurationConverter.format(timeout);
        }
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof java.net.UnknownHostException) {
                return "unknown host";
            }
            if (t instanceof javax.net.ssl.SSLException) {
                return "TLS handshake failed: " + tlsReason(t);
            }
            String message = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
            for (String known : new String[] {"connection refused", "connection reset", "timed out", "no route to host",
                    "network is unreachable", "host is unreachable"}) {
                if (message.contains(known)) {
                    return known;
                }
            }
            if (t instanceof java.net.ConnectException) {
                return "connection failed";
            }
        }
        if (tls.isEmpty()) {
            // A TLS port closes a plaintext connection without a word.
            return describe(e.getStatus()) + " (if the cluster uses TLS, give --ca, --cert and --key,"
                    + " or BATON_CA, BATON_CERT and BATON_KEY)";
        }
        return describe(e.getStatus());
    }

    /** The innermost reason of a TLS failure: e.g. the certificate check that failed. */
    private static String tlsReason(Throwable t) {
        Throwable reason = t;
        while (reason.getCause() != null && reason.getCause() != reason) {
            reason = reason.getCause();
        }
        String message = reason.getMessage() == null ? reason.getClass().getSimpleName() : reason.getMessage();
        if (message.contains("No subject alternative") || message.contains("No name matching")) {
            return "the node's certificate does not name the address dialled (" + message + ")";
        }
        if (message.contains("bad_certificate") || message.contains("certificate_required")
                || message.contains("unknown_ca") || message.contains("certificate_expired")) {
            return "the node refused this client's certificate (" + message + ")";
        }
        return oneLine(message);
    }

    /** The server's text as the terminal may show it: control characters escaped, at most {@link #MAX_REASON_CHARS}. */
    private static String printable(String text) {
        StringBuilder b = new StringBuilder();
        int i = 0;
        while (i < text.length() && b.length() < MAX_REASON_CHARS) {
            int c = text.codePointAt(i);
            if (NameRule.printable(c)) {
                b.appendCodePoint(c);
            } else {
                b.append(String.format("\\u%04X", c));
            }
            i += Character.charCount(c);
        }
        if (i < text.length()) {
            b.append("... (").append(text.length() - i).append(" more characters)");
        }
        return b.toString();
    }

    private static String oneLine(String text) {
        String line = text.strip();
        int newline = line.indexOf('\n');
        return newline < 0 ? line : line.substring(0, newline).strip();
    }

    @Override
    public void close() {
        for (ManagedChannel channel : channels) {
            if (channel != null) {
                channel.shutdownNow();
            }
        }
        for (ManagedChannel channel : channels) {
            if (channel != null) {
                try {
                    channel.awaitTermination(1, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
