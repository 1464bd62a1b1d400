package io.baton.node.config;

import static io.baton.node.config.Yaml.error;
import static io.baton.node.config.Yaml.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The mirror_disk resource and the nodes' mirror addresses. */
class MirrorDiskConfigTest {

    private static final String DISK = "{type: mirror_disk, name: md, data: /var/lib/baton/md.img,"
            + " metadata: /var/lib/baton/md.meta, size: 1GiB, mount: /mnt/md}";

    private static final String MIRRORED_TEMPLATE = """
            cluster: {name: c, heartbeat_interval: 250ms, lease: 3s}
            nodes:
              - {id: a, role: data,    raft: 198.18.0.1:7400, admin: 198.18.0.1:7401, mirror: 198.18.0.1:7402}
              - {id: b, role: data,    raft: 198.18.0.2:7400, admin: 198.18.0.2:7401, mirror: 198.18.0.2:7402}
              - {id: w, role: witness, raft: 198.18.0.3:7400, admin: 198.18.0.3:7401}
            groups:
              - name: web
                nodes: [a, b]
                resources:
                  - DISK
                  - {type: exec, name: app, start: /bin/start, stop: /bin/stop}
                  - {type: probe_port, name: probe, port: 12345}
            """;
    private static final String MIRRORED = MIRRORED_TEMPLATE.replace("DISK", DISK);

    private static String edit(String from, String to) {
        if (!MIRRORED.contains(from)) {
            throw new AssertionError("test edit does not apply: " + from);
        }
        return MIRRORED.replace(from, to);
    }

    @Test
    void readsTheResourceWithDefaults() throws ConfigException {
        ClusterConfig config = parse(MIRRORED);
        assertEquals(new MirrorDiskResourceConfig("md", "/var/lib/baton/md.img", "/var/lib/baton/md.meta",
                1L << 30, "/mnt/md", "ext4", 0), config.groups().get(0).resources().get(0));
        assertEquals(new HostPort("198.18.0.1", 7402), config.node("a").orElseThrow().mirror());
        assertNull(config.node("w").orElseThrow().mirror());
    }

    @Test
    void readsOptionalFields() throws ConfigException {
        ClusterConfig config = parse(edit("mount: /mnt/md}", "mount: /mnt/md, fstype: xfs, resync_rate: 100MiB/s}"));
        MirrorDiskResourceConfig disk = (MirrorDiskResourceConfig) config.groups().get(0).resources().get(0);
        assertEquals("xfs", disk.fstype());
        assertEquals(100L << 20, disk.resyncRateBytesPerSecond());
    }

    @Test
    void fieldErrorsNameTheField() {
        String at = "cluster.yaml: groups[0].resources[0].";
        assertEquals(at + "size: '1G' is not a size; expected a whole number followed by B, KiB, MiB, GiB or TiB,"
                + " e.g. 512MiB or 1GiB", error(edit("size: 1GiB", "size: 1G")));
        assertEquals(at + "size: must be at least 16MiB, got 1MiB", error(edit("size: 1GiB", "size: 1MiB")));
        assertEquals(at + "size: must be a multiple of 4KiB (the mirror's block size), got 16778240 bytes",
                error(edit("size: 1GiB", "size: 16385KiB")));
        assertEquals(at + "data: must be an absolute path, got 'md.img'",
                error(edit("data: /var/lib/baton/md.img", "data: md.img")));
        assertEquals(at + "mount: required field is missing", error(edit(", mount: /mnt/md", "")));
        assertEquals(at + "fstype: must be ext4 or xfs, got 'btrfs'", error(edit("mount: /mnt/md}", "mount: /mnt/md, fstype: btrfs}")));
        assertEquals(at + "resync_rate: must be a size per second such as 100MiB/s, got '100MiB'",
                error(edit("mount: /mnt/md}", "mount: /mnt/md, resync_rate: 100MiB}")));
    }

    @Test
    void aMirrorDiskHasNoMonitor() {
        String at = "cluster.yaml: groups[0].resources[0].";
        assertEquals(at + "monitor: monitors go on exec resources only; the mirror disk is watched by its replication",
                error(edit("mount: /mnt/md}", "mount: /mnt/md, monitor: {type: exec, command: /bin/check}}")));
        assertEquals(at + "restart: restart goes with a monitor, on exec resources only; the mirror disk is watched"
                + " by its replication", error(edit("mount: /mnt/md}", "mount: /mnt/md, restart: {max: 1}}")));
    }

    @Test
    void groupRules() {
        assertEquals("cluster.yaml: groups[0].resources[1]: mirror_disk 'md' must come before exec 'app'"
                + " (groups[0].resources[0]): the application starts after its disk is mounted and stops before"
                + " it is unmounted", error(MIRRORED_TEMPLATE.replace("      - DISK\n      - {type: exec, name: app, start: /bin/start, stop: /bin/stop}",
                "      - {type: exec, name: app, start: /bin/start, stop: /bin/stop}\n      - DISK").replace("DISK", DISK)));
        assertEquals("cluster.yaml: nodes[1]: node 'b' is a member of group 'web', which has a mirror_disk: give it"
                + " a mirror address (mirror: host:port), where the owner sends its writes",
                error(edit(", mirror: 198.18.0.2:7402}", "}")));
        assertEquals("cluster.yaml: nodes[1].mirror: address 198.18.0.1:7402 is already used by nodes[0].mirror"
                + " (node 'a'); every raft, admin, mirror and http address must be different",
                error(edit("mirror: 198.18.0.2:7402", "mirror: 198.18.0.1:7402")));
        assertEquals("cluster.yaml: nodes[2].mirror: a witness holds no replica; remove mirror from witness 'w'",
                error(edit("admin: 198.18.0.3:7401}", "admin: 198.18.0.3:7401, mirror: 198.18.0.3:7402}")));
    }

    @Test
    void aMirroredGroupHasExactlyTwoNodes() {
        assertEquals("cluster.yaml: groups[0].resources[0]: a group with a mirror_disk needs exactly two data nodes"
                + " (an owner and its mirror), group 'web' has 1", error(edit("nodes: [a, b]", "nodes: [a]")));
    }

    @Test
    void twoDisksMayNotShareAPathOnOneNode() {
        String second = MIRRORED + """
                  - name: db
                    nodes: [b, a]
                    resources:
                      - {type: mirror_disk, name: md2, data: /var/lib/baton/md.img, metadata: /var/lib/baton/db.meta, size: 1GiB, mount: /mnt/db}
                """;
        assertEquals("cluster.yaml: groups[1].resources[0].data: path /var/lib/baton/md.img on node 'a' is also"
                + " used by groups[0].resources[0].data; each mirror disk needs its own data, metadata and mount"
                + " paths", error(second));
    }

    @Test
    void nodePlaceholderKeepsReplicasApart() throws ConfigException {
        String perNode = MIRRORED + """
                  - name: db
                    nodes: [b, a]
                    resources:
                      - {type: mirror_disk, name: md2, data: '/d/${node}/db.img', metadata: '/d/${node}/db.meta', size: 1GiB, mount: '/mnt/${node}/db'}
                """;
        parse(perNode);
        assertEquals("/d/a/db.img", MirrorDiskResourceConfig.forNode("/d/${node}/db.img", "a"));
    }

    @Test
    void sizesParseAndFormat() {
        assertEquals(1L << 30, SizeParser.parse("1GiB"));
        assertEquals(512L << 20, SizeParser.parse("512MiB"));
        assertEquals(4096, SizeParser.parse("4096B"));
        assertEquals("1GiB", SizeParser.format(1L << 30));
        assertEquals("1536MiB", SizeParser.format(1536L << 20));
        assertEquals("100B", SizeParser.format(100));
        assertThrows(IllegalArgumentException.class, () -> SizeParser.parse("-1GiB"));
        assertThrows(IllegalArgumentException.class, () -> SizeParser.parse("99999999999TiB"));
    }
}
