package io.baton.resources.probeport;

/** How a {@link ProbePortResource} answers health checks. */
public enum ProbeMode {
    /** Accept the connection and close it at once: a completed handshake is the signal. */
    TCP,
    /** Answer one HTTP request: 200 while the lease is held, 503 otherwise. */
    HTTP
}
