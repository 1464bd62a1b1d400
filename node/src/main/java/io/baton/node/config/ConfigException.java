package io.baton.node.config;

/**
 * A cluster file that cannot be used. The message is meant to be shown to an operator as is, so it
 * always names the file, where in it the problem is and what is wrong, in the form
 * {@code <file>: <field path>: <what is wrong>} (for example
 * {@code cluster.yaml: groups[0].resources[1].port: must be between 1 and 65535, got 70000}), or
 * {@code <file>: line <n>, column <m>: <problem>} when the YAML itself does not parse. It never carries a stack
 * trace or a parser's class name in its text.
 */
public final class ConfigException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String source;
    private final String location;
    private final String problem;

    /**
     * @param source   the file (or source name) the problem is in
     * @param location the field path such as {@code nodes[1].raft}, or {@code line 7}; null when the
     *                 problem concerns the file as a whole
     * @param problem  what is wrong, in plain words
     */
    public ConfigException(String source, String location, String problem) {
        super(location == null || location.isEmpty()
                ? source + ": " + problem
                : source + ": " + location + ": " + problem);
        this.source = source;
        this.location = location == null || location.isEmpty() ? null : location;
        this.problem = problem;
    }

    /** A YAML syntax problem, which has a line and column (1-based; 0 when unknown) but no field path yet. */
    static ConfigException atLine(String source, int line, int column, String problem) {
        return new ConfigException(source, column > 0 ? "line " + line + ", column " + column : "line " + line, problem);
    }

    /** The file or source name the problem is in. */
    public String source() {
        return source;
    }

    /** The field path or {@code line N, column M}; null when the problem is about the whole file. */
    public String location() {
        return location;
    }

    /** What is wrong, without the file and location. */
    public String problem() {
        return problem;
    }
}
