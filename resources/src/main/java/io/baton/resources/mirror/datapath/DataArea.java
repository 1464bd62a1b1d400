package io.baton.resources.mirror.datapath;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;

/**
 * The data area of a mirror resource: a block device (a partition) or an image file. Creates
 * images and checks existing areas, with messages an operator can act on.
 */
public final class DataArea {

    private static final int S_IFMT = 0170000;
    private static final int S_IFBLK = 0060000;

    private DataArea() {}

    /**
     * Creates a sparse image file of exactly {@code sizeBytes}; refuses to touch an existing file,
     * since that may hold a replica's data.
     */
    public static void createImage(Path image, long sizeBytes) throws IOException {
        if (sizeBytes <= 0 || sizeBytes % 4096 != 0) {
            throw new IOException("data area size must be a positive multiple of 4 KiB, not " + sizeBytes);
        }
        try {
            Files.createFile(image);
        } catch (FileAlreadyExistsException e) {
            throw new IOException("data area " + image + " already exists: not creating it again", e);
        }
        // Setting the length allocates nothing: the image stays sparse until written.
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
            file.setLength(sizeBytes);
            file.getFD().sync();
        }
    }

    /**
     * Checks that {@code path} is a usable data area of at least {@code minSizeBytes}.
     *
     * @return its actual size in bytes
     * @throws IOException naming the path: missing, not a file or block device, or too small
     *     ("data area /x is 100 MiB, the resource needs 1 GiB")
     */
    public static long check(Path path, long minSizeBytes) throws IOException {
        if (!Files.exists(path)) {
            throw new IOException("data area " + path + " does not exist");
        }
        BasicFileAttributes attrs = Files.readAttributes(path, PosixFileAttributes.class);
        long size;
        if (attrs.isRegularFile()) {
            size = attrs.size();
        } else if (attrs.isOther() && isBlockDevice(path)) {
            size = blockDeviceSize(path);
        } else {
            throw new IOException("data area " + path + " is neither a regular file nor a block device");
        }
        if (size < minSizeBytes) {
            throw new IOException("data area " + path + " is " + humanSize(size) + ", the resource needs "
                    + humanSize(minSizeBytes));
        }
        return size;
    }

    private static boolean isBlockDevice(Path path) throws IOException {
        // "unix:mode" holds the file type bits (following symlinks such as /dev/disk/by-id/...).
        int mode = (Integer) Files.getAttribute(path, "unix:mode");
        return (mode & S_IFMT) == S_IFBLK;
    }

    /** FileChannel.size() reports 0 for block devices on Java 17, so ask the kernel via blockdev. */
    private static long blockDeviceSize(Path device) throws IOException {
        String out = HostCommand.check("blockdev", "--getsize64", device.toString()).strip();
        try {
            return Long.parseLong(out);
        } catch (NumberFormatException e) {
            throw new IOException("cannot read the size of " + device + ": blockdev printed '" + out + "'");
        }
    }

    /** 1 GiB, 100 MiB, 12 KiB or 513 bytes: exact, in the largest unit that divides the size. */
    public static String humanSize(long bytes) {
        String[] units = {"bytes", "KiB", "MiB", "GiB", "TiB"};
        int unit = 0;
        long value = bytes;
        while (unit < units.length - 1 && value >= 1024 && value % 1024 == 0) {
            value /= 1024;
            unit++;
        }
        return value + " " + units[unit];
    }
}
