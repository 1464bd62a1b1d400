package io.baton.node.config;

/**
 * Builds the field paths used in messages, such as {@code groups[0].resources[1].port}, so that all
 * messages spell them the same way. The root's path is the empty string.
 */
final class FieldPath {

    private FieldPath() {}

    static String child(String parent, String key) {
        return parent.isEmpty() ? key : parent + "." + key;
    }

    static String index(String parent, int index) {
        return parent + "[" + index + "]";
    }
}
