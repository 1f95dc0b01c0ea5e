package dev.replication.demo;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The demo's only output channel: whole lines, plus a dotted progress line while the demo waits
 * (cluster start, catch-up, failover). Lines printed while a progress line is open (events from
 * the routing listener) start on a fresh line. Thread-safe.
 */
final class Console {
    private static final PrintStream OUT = System.out;
    private static boolean dotsOpen;

    private Console() {
    }

    static synchronized void line(String s) {
        breakDots();
        OUT.println(s);
        OUT.flush();
    }

    static void line(String fmt, Object... args) {
        line(String.format(Locale.ROOT, fmt, args));
    }

    private static void breakDots() {
        if (dotsOpen) {
            OUT.println();
            dotsOpen = false;
        }
    }

    /** A progress line: {@code label .......} then {@code done (1.2 s)} when closed; a dot every 200 ms meanwhile. */
    static Progress progress(String label) {
        return new Progress(label);
    }

    static final class Progress implements AutoCloseable {
        private final long start = System.nanoTime();
        private final Thread ticker;
        private volatile boolean running = true;
        private volatile String result = "done";

        Progress(String label) {
            synchronized (Console.class) {
                breakDots();
                OUT.print("    " + label + " ");
                OUT.flush();
                dotsOpen = true;
            }
            ticker = new Thread(() -> {
                while (running) {
                    try {
                        Thread.sleep(200); // progress tick, not a wait on a condition
                    } catch (InterruptedException e) {
                        return;
                    }
                    synchronized (Console.class) {
                        if (running) {
                            if (!dotsOpen) {
                                OUT.print("    " + label + " (cont.) ");
                                dotsOpen = true;
                            }
                            OUT.print('.');
                            OUT.flush();
                        }
                    }
                }
            }, "demo-progress");
            ticker.setDaemon(true);
            ticker.start();
        }

        /** What to print instead of "done" when closed. */
        void result(String r) {
            result = r;
        }

        long elapsedMillis() {
            return (System.nanoTime() - start) / 1_000_000;
        }

        @Override
        public void close() {
            running = false;
            ticker.interrupt();
            try {
                ticker.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (Console.class) {
                String msg = " " + result + " (" + String.format(Locale.ROOT, "%.1f", elapsedMillis() / 1000.0) + " s)";
                if (dotsOpen) {
                    OUT.println(msg);
                } else {
                    OUT.println("    ..." + msg);
                }
                dotsOpen = false;
                OUT.flush();
            }
        }
    }
}
