package io.baton.node.config;

import java.util.Optional;

/** Whether a group returns to a more preferred member on its own once that member is back. */
public enum Failback {
    /** The group stays where it is until an operator moves it. */
    NEVER("never"),
    /**
     * The group moves back to the more preferred member once that member has been healthy for the
     * group's {@code failback_after}.
     */
    AUTO("auto");

    private final String yamlName;

    Failback(String yamlName) {
        this.yamlName = yamlName;
    }

    /** The spelling in the cluster file. */
    public String yamlName() {
        return yamlName;
    }

    /** The setting spelled {@code text} in the cluster file, if any (exact, lower case). */
    public static Optional<Failback> fromYaml(String text) {
        for (Failback failback : values()) {
            if (failback.yamlName.equals(text)) {
                return Optional.of(failback);
            }
        }
        return Optional.empty();
    }
}
