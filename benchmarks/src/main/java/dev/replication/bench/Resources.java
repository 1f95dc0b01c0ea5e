package dev.replication.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** What a benchmark opened (EMFs, pools), closed together newest first. Not thread-safe. */
final class Resources {

    private final List<AutoCloseable> open = new ArrayList<>();

    void closeLater(AutoCloseable resource) {
        open.add(resource);
    }

    /** Closes everything registered since the last call, newest first (an EMF before its pool). */
    void closeAll() {
        List<AutoCloseable> list = new ArrayList<>(open);
        open.clear();
        Collections.reverse(list);
        for (AutoCloseable c : list) {
            try {
                c.close();
            } catch (Exception e) {
                System.err.println("close failed: " + e);
            }
        }
    }
}
