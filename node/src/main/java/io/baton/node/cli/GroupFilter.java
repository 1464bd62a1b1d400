package io.baton.node.cli;

import io.baton.node.config.DidYouMean;
import io.baton.proto.admin.ClusterStatus;
import io.baton.proto.admin.GroupStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Which groups {@code batonctl status} shows: every group, or the ones named on the command line
 * together with the ones whose name matches a pattern of {@code --group}. A name must exist (a typo is
 * an error, with the likely group); a pattern may match nothing. Pure.
 */
final class GroupFilter {
    /** No names, no patterns: every group. */
    static final GroupFilter ALL = new GroupFilter(List.of(), List.of());

    /** Up to this many groups, an unknown name's error lists them all. */
    private static final int LISTED_GROUPS_MAX = 20;

    private final List<String> names;
    private final List<String> patterns;
    private final List<Pattern> regexes;

    GroupFilter(List<String> names, List<String> patterns) {
        this.names = List.copyOf(names);
        this.patterns = List.copyOf(patterns);
        this.regexes = this.patterns.stream().map(GroupFilter::glob).toList();
    }

    /** Neither names nor patterns were given. */
    boolean all() {
        return names.isEmpty() && patterns.isEmpty();
    }

    /** Only names were given: the operator asked for these groups one by one. */
    boolean namedOnly() {
        return !names.isEmpty() && patterns.isEmpty();
    }

    /**
     * The groups of {@code status} this filter selects, in the status's order.
     *
     * @throws CtlException when a name is not a group's, naming it and the group it likely meant
     */
    List<GroupStatus> select(ClusterStatus status) {
        if (all()) {
            return status.getGroupsList();
        }
        List<String> known = status.getGroupsList().stream().map(GroupStatus::getName).toList();
        List<String> unknown = names.stream().filter(n -> !known.contains(n)).distinct().toList();
        if (!unknown.isEmpty()) {
            throw new CtlException(unknownGroups(unknown, known));
        }
        return status.getGroupsList().stream().filter(g -> selects(g.getName())).toList();
    }

    private boolean selects(String group) {
        return names.contains(group) || regexes.stream().anyMatch(r -> r.matcher(group).matches());
    }

    /** "'web*'", or "'web*' or 'db-?'": the patterns, for the line that says none matched. */
    String patternsText() {
        return String.join(" or ", patterns.stream().map(p -> "'" + p + "'").toList());
    }

    /**
     * "unknown group 'wbe' (did you mean 'web'?)"; with no likely group in a small cluster, the groups
     * there are. Names are printable and short (NameConverter), so they are shown as given.
     */
    private static String unknownGroups(List<String> unknown, List<String> known) {
        List<String> parts = new ArrayList<>();
        boolean anyHint = false;
        for (String name : unknown) {
            String hint = hint(name, known);
            anyHint |= hint != null;
            parts.add("'" + name + "'" + (hint == null ? "" : " (" + hint + ")"));
        }
        String message = (unknown.size() == 1 ? "unknown group " : "unknown groups ") + String.join(", ", parts);
        if (known.isEmpty()) {
            return message + "; the cluster has no groups";
        }
        if (!anyHint && known.size() <= LISTED_GROUPS_MAX) {
            return message + "; groups: " + String.join(", ", known);
        }
        return message;
    }

    private static String hint(String name, List<String> known) {
        if (name.indexOf('*') >= 0 || name.indexOf('?') >= 0) {
            return "a pattern goes after --group: --group '" + name + "'";
        }
        String closest = DidYouMean.closest(name, known);
        return closest == null ? null : "did you mean '" + closest + "'?";
    }

    /** A shell-like pattern as a regex: {@code *} any characters, {@code ?} one, everything else itself. */
    static Pattern glob(String pattern) {
        StringBuilder regex = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '*' || c == '?') {
                if (!literal.isEmpty()) {
                    regex.append(Pattern.quote(literal.toString()));
                    literal.setLength(0);
                }
                regex.append(c == '*' ? ".*" : ".");
            } else {
                literal.append(c);
            }
        }
        if (!literal.isEmpty()) {
            regex.append(Pattern.quote(literal.toString()));
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }
}
