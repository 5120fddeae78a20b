import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the benchmark programs' result tables share: a markdown row, the median and percentiles, a process's RSS.
 * Compiled by bench/lib/bench.sh next to BenchSentinels, for the same reason (single-file programs cannot share a
 * source file).
 */
public final class BenchTable {

    private BenchTable() {
    }

    /** Appends "| metric | value | target |". */
    public static void row(StringBuilder t, String metric, String value, String target) {
        t.append("| ").append(metric).append(" | ").append(value).append(" | ").append(target).append(" |\n");
    }

    public static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** The nearest-rank percentile ({@code p} in 0..1, e.g. 0.95) of a sorted, non-empty array. */
    public static double percentile(double[] sorted, double p) {
        return sorted[Math.max(0, (int) Math.ceil(p * sorted.length) - 1)];
    }

    /** VmRSS of a process in MB, or -1 when it is gone. */
    public static double rssMegabytes(long pid) {
        try {
            return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
                    .filter(line -> line.startsWith("VmRSS:"))
                    .mapToDouble(line -> Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0)
                    .findFirst().orElse(-1);
        } catch (IOException e) {
            return -1;
        }
    }
}
