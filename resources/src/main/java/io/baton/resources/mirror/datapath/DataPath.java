package io.baton.resources.mirror.datapath;


import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mirror disk on its owner: a {@link BlockStore} served as a FUSE file, a loop device on that
 * file, and the filesystem on the loop device mounted at the resource's mount point. What the
 * resource driver calls.
 *
 * <p>{@link #start} and {@link #stop} are serialised and idempotent. {@link #fence} and
 * {@link #isMounted} never wait for them: a fence must work while a start or stop hangs in I/O.
 * The caller owns the store (opens and closes it).
 */
public final class DataPath {

    private static final Logger log = LoggerFactory.getLogger(DataPath.class);

    private final FuseMount.Options fuseOptions;
    private final boolean loopDirectIo;

    private final Object lock = new Object();
    // Written under lock, read without it by fence() and isMounted().
    private volatile FuseMount fuse;
    private volatile LoopDevice loop;
    private volatile Path mountPoint;
    private volatile BlockStore store;

    /**
     * The options measured best (docs/benchmarks.md, "Mirror disk data path"): FUSE {@code direct_io}
     * and a loop device doing direct I/O, which submits asynchronously and so keeps several writes in
     * flight to the FUSE file (the buffered loop device sends one at a time).
     */
    public DataPath() {
        this(FuseMount.Options.defaults(), true);
    }

    /** For benchmarks: other FUSE options, or a loop device doing direct I/O on the FUSE file. */
    public DataPath(FuseMount.Options fuseOptions, boolean loopDirectIo) {
        this.fuseOptions = fuseOptions;
        this.loopDirectIo = loopDirectIo;
    }

    /**
     * Brings the disk up: prerequisites → FUSE file in {@code fuseDir} → loop device → filesystem
     * (created only if the device is empty and {@code formatIfEmpty}) → mounted at
     * {@code mountPoint}. On failure, whatever was set up is torn down again before the exception.
     *
     * @throws DataPathException with a message for operators (what is missing or wrong, and where)
     * @throws IllegalStateException if already started with another store or other paths
     */
    public void start(BlockStore store, Path fuseDir, Path mountPoint, String fstype, boolean formatIfEmpty)
            throws IOException {
        synchronized (lock) {
            if (this.store != null) {
                if (this.store == store && this.mountPoint.equals(mountPoint) && fuse.dir().equals(fuseDir.toAbsolutePath().normalize())) {
                    return;
                }
                throw new IllegalStateException("data path already started at " + this.mountPoint);
            }
            Prerequisites.check(fstype);
            Filesystems.checkMountPoint(mountPoint, "mount point");
            this.store = store;
            this.mountPoint = mountPoint;
            try {
                fuse = FuseMount.mount(store, fuseDir, fuseOptions);
                loop = LoopDevice.attach(fuse.file(), loopDirectIo);
                if (!Filesystems.hasFilesystem(loop.device())) {
                    if (!formatIfEmpty) {
                        throw new DataPathException("no filesystem on the mirror disk (" + loop.device() + " on " + fuse.file()
                                + ") and it is not new: refusing to format");
                    }
                    log.info("creating an {} filesystem on the new mirror disk {}", fstype, loop.device());
                    Filesystems.mkfs(loop.device(), fstype);
                }
                Filesystems.mount(loop.device(), mountPoint, fstype);
                log.info("mirror disk mounted at {} ({} on {})", mountPoint, loop.device(), fuse.file());
            } catch (IOException | RuntimeException e) {
                try {
                    stopLocked();
                } catch (IOException cleanup) {
                    e.addSuppressed(cleanup);
                }
                throw e;
            }
        }
    }

    /**
     * Tears down in order: unmount the filesystem → detach the loop device → unmount the FUSE file.
     * Every step is attempted even if an earlier one failed; the failures come as one exception.
     * Does nothing when not started.
     */
    public void stop() throws IOException {
        synchronized (lock) {
            stopLocked();
        }
    }

    private void stopLocked() throws IOException {
        List<IOException> failures = new ArrayList<>();
        if (mountPoint != null && loop != null) {
            try {
                Filesystems.unmount(mountPoint);
            } catch (IOException e) {
                failures.add(e);
            }
        }
        if (loop != null) {
            try {
                loop.detach();
                loop = null;
            } catch (IOException e) {
                failures.add(e);
            }
        }
        if (fuse != null) {
            try {
                fuse.close();
                fuse = null;
            } catch (IOException e) {
                failures.add(e);
            }
        }
        if (failures.isEmpty()) {
            store = null;
            mountPoint = null;
            return;
        }
        DataPathException all = new DataPathException("stopping the mirror disk at " + mountPoint + " failed: "
                + String.join("; ", failures.stream().map(Throwable::getMessage).toList()));
        failures.forEach(all::addSuppressed);
        // Forget the state anyway: a retry goes through cleanupLeftovers, which finds what is left.
        loop = null;
        fuse = null;
        store = null;
        mountPoint = null;
        throw all;
    }

    /**
     * Fences the disk: every later or waiting write and fsync fails with EIO (ext4 then aborts its
     * journal and goes read-only). Returns at once, from any thread, started or not.
     */
    public void fence() {
        FuseMount f = fuse;
        if (f != null) {
            f.fence();
        } else {
            BlockStore s = store;
            if (s != null) {
                s.fence();
            }
        }
    }

    /** Whether the filesystem is mounted and the FUSE file still served; for observe(). */
    public boolean isMounted() {
        FuseMount f = fuse;
        Path m = mountPoint;
        if (f == null || m == null || loop == null || !f.isServing()) {
            return false;
        }
        try {
            return MountTable.isMountPoint(m);
        } catch (IOException e) {
            return false;
        }
    }

    /** The loop device while started (for status output), else null. */
    public Path device() {
        LoopDevice l = loop;
        return l == null ? null : l.device();
    }

    /**
     * Whether {@code source} is a loop device on {@code fuseFile}: its recorded backing file is that
     * path, or "/disk" as the kernel shows it once the dead FUSE directory was lazily unmounted
     * (unambiguous here: it is mounted at this disk's own mount point).
     */
    private static boolean isFromFuseFile(String source, Path fuseFile) {
        String canonical = fuseFile.toString();
        try {
            // The kernel records the path with symbolic links resolved; the FUSE directory's parent is
            // a plain directory, so resolving it works even when the FUSE mount itself is dead.
            Path dir = fuseFile.getParent();
            canonical = dir.getParent().toRealPath().resolve(dir.getFileName()).resolve(fuseFile.getFileName()).toString();
        } catch (IOException | RuntimeException e) {
            // keep the path as given
        }
        String resolved = canonical;
        return LoopDevice.backingFileOf(Path.of(source))
                .map(back -> back.equals(fuseFile.toString()) || back.equals(resolved)
                        || back.equals("/" + BlockStoreFileSystem.FILE_NAME))
                .orElse(false);
    }

    /**
     * After a crash of a previous daemon: unmounts a filesystem left at {@code mountPoint},
     * detaches loop devices left on {@code fuseDir/disk} (and on {@code imagePath}, if given), and
     * lazily unmounts a FUSE mount left at {@code fuseDir}. Every step is attempted; failures come
     * as one exception. Safe to run when nothing is left.
     */
    public static void cleanupLeftovers(Path fuseDir, Path mountPoint, Path imagePath) throws IOException {
        List<IOException> failures = new ArrayList<>();
        Path fuseFile = fuseDir.toAbsolutePath().normalize().resolve(BlockStoreFileSystem.FILE_NAME);
        List<Path> devices = new ArrayList<>();
        try {
            MountTable.Entry mounted = MountTable.find(mountPoint);
            if (mounted != null && isFromFuseFile(mounted.source(), fuseFile)) {
                log.warn("unmounting {} ({}), left mounted by a previous run", mountPoint, mounted.source());
                devices.add(Path.of(mounted.source()));
                Filesystems.unmount(mountPoint);
            } else if (mounted != null) {
                // Somebody else's filesystem: never unmount it. Activation refuses the busy mount point.
                log.warn("{} is mounted from {} ({}), which is not this mirror disk's: left alone; the disk"
                        + " cannot be mounted there until it is unmounted", mountPoint, mounted.source(),
                        mounted.fstype());
            }
        } catch (IOException e) {
            failures.add(e);
        }
        for (Path device : devices) {
            try {
                log.warn("detaching loop device {}, left by a previous run", device);
                LoopDevice.detach(device);
            } catch (IOException e) {
                failures.add(e);
            }
        }
        List<Path> backing = imagePath == null ? List.of(fuseFile) : List.of(fuseFile, imagePath);
        for (Path file : backing) {
            try {
                for (Path device : LoopDevice.attachedTo(file)) {
                    log.warn("detaching loop device {} from {}, left by a previous run", device, file);
                    LoopDevice.detach(device);
                }
            } catch (IOException e) {
                failures.add(e);
            }
        }
        try {
            if (MountTable.isMountPoint(fuseDir)) {
                log.warn("unmounting the FUSE directory {}, left by a previous run", fuseDir);
                var r = io.baton.resources.mirror.datapath.HostCommand.run("umount", "-l", fuseDir.toString());
                if (!r.ok() && MountTable.isMountPoint(fuseDir)) {
                    failures.add(new DataPathException("cannot unmount the FUSE directory " + fuseDir + ": " + r.describeFailure()));
                }
            }
        } catch (IOException e) {
            failures.add(e);
        }
        if (!failures.isEmpty()) {
            DataPathException all = new DataPathException("cleaning up after a previous run failed: "
                    + String.join("; ", failures.stream().map(Throwable::getMessage).toList()));
            failures.forEach(all::addSuppressed);
            throw all;
        }
    }
}
