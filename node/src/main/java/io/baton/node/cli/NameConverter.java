package io.baton.node.cli;

import io.baton.node.admin.NameRule;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Group and node names on the command line, checked with the admin API's own {@link NameRule}: a
 * name no node would accept (too long, a control or bidi character) is a usage error, exit 2, and
 * nothing is sent. The message shows a short escaped preview, never the raw name.
 */
abstract class NameConverter implements ITypeConverter<String> {
    private final String label;

    private NameConverter(String label) {
        this.label = label;
    }

    @Override
    public String convert(String value) {
        String problem = NameRule.problem(label, value);
        if (problem != null) {
            throw new TypeConversionException(problem);
        }
        return value;
    }

    static final class Group extends NameConverter {
        Group() {
            super("group");
        }
    }

    static final class Node extends NameConverter {
        Node() {
            super("node");
        }
    }
}
