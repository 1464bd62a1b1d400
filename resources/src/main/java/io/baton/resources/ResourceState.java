package io.baton.resources;

/**
 * An observation of a resource.
 *
 * @param status what it is
 * @param detail human text: probes seen, last script output, error
 */
public record ResourceState(Status status, String detail) {

    /** The states a resource can be observed in. */
    public enum Status {
        /** Not serving; safe for another node to take over. */
        INACTIVE,
        /** Serving. */
        ACTIVE,
        /** The last start or stop failed; treat as possibly active until a stop succeeds. */
        FAILED
    }

    public static ResourceState inactive(String detail) {
        return new ResourceState(Status.INACTIVE, detail);
    }

    public static ResourceState active(String detail) {
        return new ResourceState(Status.ACTIVE, detail);
    }

    public static ResourceState failed(String detail) {
        return new ResourceState(Status.FAILED, detail);
    }
}
