package io.baton.node.agent;

import io.baton.resources.Resource;
import io.baton.resources.ResourceContext;
import io.baton.resources.ResourceException;
import io.baton.resources.ResourceState;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A resource that writes every call to a log shared by all resources of a test ({@code "app start@1"},
 * {@code "app stop@1"}, {@code "probe fence"}), and can be told to fail its start or stop, or to hang in
 * start until released. A probe-like one stops serving when fenced, as a probe port closes its listener.
 */
final class FakeResource implements Resource {
    /** How long a hanging start waits for {@link #release} before it gives up, so a broken test ends. */
    private static final long HANG_LIMIT_SECONDS = 10;

    private final String name;
    private final boolean probeLike;
    private final List<String> log;
    private volatile ResourceState.Status status = ResourceState.Status.INACTIVE;
    private volatile String startFailure;
    private volatile String stopFailure;
    private volatile CountDownLatch hang;
    private final CountDownLatch startEntered = new CountDownLatch(1);

    private FakeResource(String name, boolean probeLike, List<String> log) {
        this.name = name;
        this.probeLike = probeLike;
        this.log = log;
    }

    static FakeResource plain(String name, List<String> log) {
        return new FakeResource(name, false, log);
    }

    static FakeResource probe(String name, List<String> log) {
        return new FakeResource(name, true, log);
    }

    /** Every start fails with {@code message} (null: succeeds again); a failed start may leave it partly up. */
    void failStart(String message) {
        startFailure = message;
    }

    /** Every stop fails with {@code message} (null: succeeds again). */
    void failStop(String message) {
        stopFailure = message;
    }

    /** The next start blocks until {@link #release}. */
    void hangInStart() {
        hang = new CountDownLatch(1);
    }

    void release() {
        hang.countDown();
    }

    boolean startEntered() {
        return startEntered.getCount() == 0;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String type() {
        return probeLike ? "probe_port" : "exec";
    }

    @Override
    public void start(ResourceContext context) throws ResourceException {
        log.add(name + " start@" + context.epoch());
        startEntered.countDown();
        CountDownLatch h = hang;
        if (h != null) {
            awaitRelease(h);
            hang = null;
        }
        if (startFailure != null) {
            status = ResourceState.Status.FAILED;
            throw new ResourceException(startFailure);
        }
        status = ResourceState.Status.ACTIVE;
    }

    private void awaitRelease(CountDownLatch h) throws ResourceException {
        try {
            if (!h.await(HANG_LIMIT_SECONDS, TimeUnit.SECONDS)) {
                throw new ResourceException("never released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ResourceException("interrupted");
        }
    }

    @Override
    public void stop(ResourceContext context) throws ResourceException {
        log.add(name + " stop@" + context.epoch());
        if (stopFailure != null) {
            status = ResourceState.Status.FAILED;
            throw new ResourceException(stopFailure);
        }
        status = ResourceState.Status.INACTIVE;
    }

    @Override
    public void fence() {
        log.add(name + " fence");
        if (probeLike && status == ResourceState.Status.ACTIVE) {
            status = ResourceState.Status.INACTIVE;
        }
    }

    @Override
    public ResourceState observe() {
        return new ResourceState(status, "");
    }
}
