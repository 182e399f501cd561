package io.lamaserve.batching;

import io.lamaserve.engine.FakeEngine;
import io.lamaserve.lifecycle.StartupPhase;
import io.lamaserve.lifecycle.StartupTimeline;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CostTableStoreTest {

    @TempDir
    Path directory;

    private final CostTableStore.Key key = new CostTableStore.Key("onnxruntime-cpu", "AMD EPYC, 2 cores",
            "6f2b11accc646a4138fb86b74309d5a9f678513f159a9448f64aab6039641816", 512, 4, 1);

    private static SortedMap<Integer, Long> table() {
        SortedMap<Integer, Long> table = new TreeMap<>();
        table.put(1, 32_000_000L);
        table.put(2, 60_000_000L);
        table.put(4, 136_000_000L);
        return table;
    }

    @Test
    void aStoredTableComesBackForTheSameKeyOnly() {
        CostTableStore store = new CostTableStore(directory);
        store.save(key, table());
        assertEquals(Optional.of(table()), store.load(key));
        assertEquals(Optional.empty(), store.load(new CostTableStore.Key("tensorrt-fp16-o3", key.hardware(),
                key.modelSha256(), 512, 4, 1)));
        assertEquals(Optional.empty(), store.load(new CostTableStore.Key(key.engine(), "Intel Xeon, 8 cores",
                key.modelSha256(), 512, 4, 1)));
        assertEquals(Optional.empty(), store.load(new CostTableStore.Key(key.engine(), key.hardware(),
                key.modelSha256(), 512, 4, 2)));
    }

    @Test
    void damagedOrIncompleteTablesAreMeasuredAgain() throws Exception {
        CostTableStore store = new CostTableStore(directory);
        store.save(key, table());
        Path file = store.fileFor(key);
        String text = Files.readString(file);
        Files.writeString(file, text.replace("latency-nanos.4=136000000", "latency-nanos.4=soon"));
        assertEquals(Optional.empty(), store.load(key));
        Files.writeString(file, text.replace("latency-nanos.4=136000000", ""));
        assertEquals(Optional.empty(), store.load(key), "the max batch must be in the table");
        Files.writeString(file, text.replace("key.model-sha256=", "key.model-sha256=0"));
        assertEquals(Optional.empty(), store.load(key), "the key inside the file is checked, not only its name");
    }

    @Test
    void aRestartReusesTheTableAndOnlyWarmsUp() throws Exception {
        FakeTicker ticker = new FakeTicker();
        BatchingSettings settings = TestSettings.defaults();
        FakeEngine first = FakeEngine.builder().maxBatch(16).parallelism(2).latency(CostCurves.T4)
                .elapsingOn(ticker::advanceNanos).build();
        BatchScheduler measuring = new BatchScheduler(first, settings, ticker, new SimpleMeterRegistry(), Runnable::run,
                StartupTimeline.sinceJvmStart());
        measuring.useCostTables(new CostTableStore(directory), key.modelSha256());
        measuring.start();
        measuring.close();
        assertTrue(first.calls().size() > 2 * 5, "the first start sweeps: " + first.calls().size() + " inferences");

        FakeEngine second = FakeEngine.builder().maxBatch(16).parallelism(2).latency(CostCurves.T4)
                .elapsingOn(ticker::advanceNanos).build();
        StartupTimeline restart = StartupTimeline.sinceJvmStart();
        BatchScheduler restarted = new BatchScheduler(second, settings, ticker, new SimpleMeterRegistry(), Runnable::run,
                restart);
        restarted.useCostTables(new CostTableStore(directory), key.modelSha256());
        restarted.start();
        try {
            assertTrue(restarted.ready());
            assertEquals(2, second.calls().size(), "one warm-up inference per slot, no sweep");
            assertEquals("warm-up, stored cost table, knee 7",
                    restart.get(StartupPhase.WARMUP_DONE).orElseThrow().detail());
            assertEquals(measuring.costModel().table(), restarted.costModel().table());
            assertEquals(measuring.costModel().knee(), restarted.costModel().knee());
        } finally {
            restarted.close();
        }
    }
}
