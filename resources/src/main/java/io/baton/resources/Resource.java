package io.baton.resources;

/**
 * One thing a failover group turns on and off on a node: a probe port, an application, a disk.
 *
 * <p>Contract, relied upon by the node agent's reconcile loop:
 * <ul>
 *   <li>{@link #start} and {@link #stop} are idempotent: starting an active resource or stopping an
 *       inactive one succeeds and changes nothing.</li>
 *   <li>{@link #stop} must leave the resource inactive even after a failed or interrupted start.</li>
 *   <li>{@link #observe} reports what the resource really is now, not what was last asked of it,
 *       wherever the driver can look.</li>
 *   <li>{@link #fence} is called from another thread when the node's lease is about to run out: it
 *       must return at once and make the resource stop serving (for example close a listener).</li>
 * </ul>
 */
public interface Resource extends AutoCloseable {

    /** The resource's name, unique within its group. */
    String name();

    /** The configuration type, such as {@code exec} or {@code probe_port}. */
    String type();

    /** Brings the resource up for the grant described by {@code context}. */
    void start(ResourceContext context) throws ResourceException;

    /** Brings the resource down. */
    void stop(ResourceContext context) throws ResourceException;

    /** What the resource is now. */
    ResourceState observe();

    /** Stops serving at once, without blocking; {@link #stop} follows later. */
    default void fence() {}

    /**
     * Called before a planned stop (a move, an admin stop, a clean daemon exit, a rollback), with the
     * lease still live: stop taking new work at once, as {@link #fence} does by default. A resource
     * whose fence would hurt an orderly stop (a disk: the application's last writes and the unmount
     * need it) does nothing here and leaves it to {@link #stop}.
     */
    default void quiesce() {
        fence();
    }

    /** Releases everything the driver holds, as when the daemon exits. */
    @Override
    default void close() {}
}
