package io.baton.resources.mirror.datapath;


import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A loop device attached to a file, through {@code losetup}.
 *
 * <p>Sector size 4096 so that the filesystem's I/O reaches the store in whole 4 KiB blocks, the
 * dirty bitmap's granularity.
 */
public final class LoopDevice {

    private final Path device;
    private final Path backingFile;

    private LoopDevice(Path device, Path backingFile) {
        this.device = device;
        this.backingFile = backingFile;
    }

    /**
     * Attaches the first free loop device to {@code file}.
     *
     * @param directIo whether the loop driver opens the file with O_DIRECT (no page cache of its own)
     */
    public static LoopDevice attach(Path file, boolean directIo) throws IOException {
        List<String> argv = new ArrayList<>(List.of("losetup", "--find", "--show", "--sector-size", "4096"));
        if (directIo) {
            argv.add("--direct-io=on");
        }
        argv.add(file.toString());
        HostCommand.Result r = HostCommand.run(HostCommand.DEFAULT_TIMEOUT, argv);
        if (!r.ok() || r.stdout().isBlank()) {
            throw new DataPathException("cannot attach a loop device to " + file + ": " + r.describeFailure());
        }
        return new LoopDevice(Path.of(r.stdout().strip()), file);
    }

    public Path device() {
        return device;
    }

    public Path backingFile() {
        return backingFile;
    }

    /** Detaches the device; done already counts as success. */
    public void detach() throws IOException {
        detach(device);
    }

    static void detach(Path device) throws IOException {
        HostCommand.Result r = HostCommand.run("losetup", "-d", device.toString());
        if (!r.ok() && !r.stderr().contains("No such device")) {
            throw new DataPathException("cannot detach loop device " + device + ": " + r.describeFailure());
        }
    }

    /**
     * The loop devices attached to {@code file}, for cleaning up after a crash. A file that does
     * not exist (or a FUSE directory that is no longer served) has none that losetup can name.
     */
    public static List<Path> attachedTo(Path file) throws IOException {
        HostCommand.Result r = HostCommand.run("losetup", "--noheadings", "--output", "NAME,BACK-FILE", "--list");
        if (!r.ok()) {
            throw new DataPathException("cannot list loop devices: " + r.describeFailure());
        }
        // Listing everything and matching ourselves, rather than `losetup -j FILE`: -j stats FILE,
        // which fails on a dead FUSE mount, exactly when cleanup is needed.
        String wanted = MountTable.canonical(file).toString();
        String given = file.toAbsolutePath().normalize().toString();
        List<Path> devices = new ArrayList<>();
        for (String line : r.stdout().split("\n")) {
            String[] parts = line.strip().split("\\s+", 2);
            if (parts.length == 2) {
                String back = parts[1].replace(" (deleted)", "").strip();
                if (back.equals(wanted) || back.equals(given)) {
                    devices.add(Path.of(parts[0]));
                }
            }
        }
        return devices;
    }

    /**
     * The backing file the kernel records for loop device {@code device} (from sysfs), without a
     * " (deleted)" suffix; empty when the device is not a loop device or not attached.
     */
    public static java.util.Optional<String> backingFileOf(Path device) {
        String name = device.getFileName() == null ? "" : device.getFileName().toString();
        if (!name.matches("loop[0-9]+")) {
            return java.util.Optional.empty();
        }
        try {
            String back = java.nio.file.Files.readString(Path.of("/sys/block", name, "loop", "backing_file")).strip();
            return java.util.Optional.of(back.replace(" (deleted)", "").strip());
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }

    @Override
    public String toString() {
        return device + " -> " + backingFile;
    }
}
