import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * What reading a live sandbox's limit counters after a call costs, both ways (issue 24): each file opened, read and
 * closed (as the executor did), against each opened once and read in place from its start (as {@code KernelFile}
 * does now). On a virtual thread, as the executor's calls run. Started by run.sh with the counter files.
 */
public class CounterReads {
    static String openReadClose(Path file) throws Exception {
        try (var channel = FileChannel.open(file, StandardOpenOption.READ)) {
            var buffer = ByteBuffer.allocate(512);
            channel.read(buffer);
            return new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII);
        }
    }

    static String readInPlace(FileChannel channel) throws Exception {
        var buffer = ByteBuffer.allocate(512);
        channel.read(buffer, 0);
        return new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII);
    }

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        Path[] files = new Path[args.length - 1];
        FileChannel[] kept = new FileChannel[files.length];
        for (int i = 0; i < files.length; i++) {
            files[i] = Path.of(args[i + 1]);
            kept[i] = FileChannel.open(files[i], StandardOpenOption.READ);
            if (!openReadClose(files[i]).equals(readInPlace(kept[i]))) throw new IllegalStateException(files[i] + "");
        }
        Thread.ofVirtual().start(() -> {
            try {
                for (int round = 1; round <= 3; round++) {
                    long length = 0;
                    long t0 = System.nanoTime();
                    for (int i = 0; i < n; i++) for (Path file : files) length += openReadClose(file).length();
                    long t1 = System.nanoTime();
                    for (int i = 0; i < n; i++) for (FileChannel channel : kept) length += readInPlace(channel).length();
                    long t2 = System.nanoTime();
                    System.out.printf(
                            "round %d: opened, read, closed %.1f µs; kept open, read in place %.1f µs a file (n=%d × %d files; %d chars)%n",
                            round, (t1 - t0) / 1e3 / n / files.length, (t2 - t1) / 1e3 / n / files.length, n,
                            files.length, length);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).join();
    }
}
