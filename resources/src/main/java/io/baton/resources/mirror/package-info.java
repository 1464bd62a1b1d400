/**
 * The mirror disk: a block device whose every write is on both data nodes before it is acknowledged.
 * One feature, five parts, each a package of its own:
 *
 * <table>
 *   <caption>Parts</caption>
 *   <tr><th>package</th><th>what it holds</th><th>I/O</th></tr>
 *   <tr><td>{@code meta}</td>
 *       <td>a replica's metadata: superblock, dirty bitmap, activity log, the area that holds them, epoch fencing</td>
 *       <td>the metadata file only</td></tr>
 *   <tr><td>{@code wire}</td>
 *       <td>the replication frames and their payloads: type, epoch, seq, CRC32C</td>
 *       <td>none (pure)</td></tr>
 *   <tr><td>{@code engine}</td>
 *       <td>the primary and the standby's replica server over Netty; the peer protocol's decisions and
 *           phases as pure functions ({@code PeerDecisions}, {@code PeerPhase}); resync rate; the port to
 *           the Raft-committed replica states</td>
 *       <td>network, data file</td></tr>
 *   <tr><td>{@code datapath}</td>
 *       <td>the owner's side of the kernel: block stores on a file, FUSE spoken directly, the loop device,
 *           mkfs and mount, write-behind and I/O-flusher system calls</td>
 *       <td>/dev/fuse, losetup, mount, libc</td></tr>
 *   <tr><td>{@code io.baton.node.mirror} (node module)</td>
 *       <td>the resource: the cluster file's {@code mirror_disk} turned into the above, one per group</td>
 *       <td>through the above</td></tr>
 * </table>
 *
 * <p>The resource lives in the node module because it is built from the node's configuration
 * types. Design: {@code docs/mirror.md}; invariants S2 and S4: {@code docs/design.md}.
 */
package io.baton.resources.mirror;
