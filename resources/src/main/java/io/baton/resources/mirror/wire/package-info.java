/**
 * The mirror link's wire format, pure: {@link io.baton.resources.mirror.wire.Frame}s of type, epoch,
 * sequence, length, payload and CRC32C ({@link io.baton.resources.mirror.wire.FrameCodec}, incremental for
 * a stream), and the typed payloads (HELLO, WRITE, RS_BEGIN, RS_END, FENCED, ERROR). Not protobuf: a
 * fixed header lets the receiver keep a write's data as a slice of the network buffer.
 */
package io.baton.resources.mirror.wire;
