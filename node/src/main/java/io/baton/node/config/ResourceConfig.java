package io.baton.node.config;

/**
 * The configuration of one resource of a group. Sealed so that code which turns configurations into
 * drivers switches over every type and the compiler points out each place a new type (such as
 * {@code mirror_disk}) has to be handled; adding one means a record here, a {@code permits} entry
 * a record of its file shape in {@link ClusterFile} (with its {@code @JsonSubTypes} name), and a case in
 * {@link ClusterFileReader}.
 */
public sealed interface ResourceConfig permits ExecResourceConfig, MirrorDiskResourceConfig, ProbePortResourceConfig {

    /** Unique within the group, {@code [A-Za-z0-9._-]+}. */
    String name();

    /** The {@code type} spelling in the cluster file, such as {@code exec}. */
    String type();
}
