/**
 * The mirror disk's replication engine: a primary ({@link io.baton.resources.mirror.engine.MirrorPrimary},
 * the {@link io.baton.resources.mirror.datapath.BlockStore} the FUSE file serves) and, per standby node, a
 * {@link io.baton.resources.mirror.engine.ReplicaServer} with one
 * {@link io.baton.resources.mirror.engine.ReplicaTarget} per resource. Netty NIO over TCP, frames of
 * {@link io.baton.resources.mirror.wire.FrameCodec}. Exactly two data nodes per group; the protocol as built is
 * described in {@code docs/mirror.md}.
 */
package io.baton.resources.mirror.engine;
