package io.baton.resources.mirror.datapath;

import java.io.IOException;

/**
 * A step of the mirror disk's data path that did not work: a missing prerequisite, a bad mount
 * point, a tool that failed. The message names the path or package and is shown to operators as is.
 */
public class DataPathException extends IOException {
    public DataPathException(String message) {
        super(message);
    }

    public DataPathException(String message, Throwable cause) {
        super(message, cause);
    }
}
