package io.lamaserve.engine.tensorrt;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SideBySideTest {

    /** A resource that records its closing. */
    private record Resource(int index, List<Integer> closed) implements AutoCloseable {
        @Override
        public void close() {
            closed.add(index);
        }
    }

    @Test
    void opensAllAtOnceAndReturnsThemInOrder() {
        int count = 3;
        // each opening waits until all three are inside open(): that only ends if they run at the same time
        CountDownLatch allInside = new CountDownLatch(count);
        List<String> threads = new CopyOnWriteArrayList<>();
        List<Integer> closed = new CopyOnWriteArrayList<>();
        List<Resource> opened = SideBySide.open(count, "test-slot", index -> {
            threads.add(Thread.currentThread().getName());
            allInside.countDown();
            try {
                assertTrue(allInside.await(10, TimeUnit.SECONDS), "the openings did not run side by side");
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return new Resource(index, closed);
        });
        assertEquals(List.of(0, 1, 2), opened.stream().map(Resource::index).toList());
        assertTrue(threads.contains(Thread.currentThread().getName()), "the first opens on the caller's thread");
        assertTrue(threads.contains("test-slot-1") && threads.contains("test-slot-2"), threads.toString());
        assertEquals(List.of(), closed);
    }

    @Test
    void aFailureClosesTheOthersAndIsRethrown() {
        List<Integer> closed = new CopyOnWriteArrayList<>();
        IllegalStateException outOfMemory = new IllegalStateException("cudaMallocHost(image): out of memory");
        IllegalStateException thrown = assertThrows(IllegalStateException.class,
                () -> SideBySide.open(3, "test-slot", index -> {
                    if (index == 1) {
                        throw outOfMemory;
                    }
                    return new Resource(index, closed);
                }));
        assertSame(outOfMemory, thrown);
        assertEquals(List.of(0, 2), closed.stream().sorted().toList());
    }

    @Test
    void oneOpensOnTheCallersThreadOnly() {
        List<String> threads = new CopyOnWriteArrayList<>();
        List<Resource> opened = SideBySide.open(1, "test-slot", index -> {
            threads.add(Thread.currentThread().getName());
            return new Resource(index, new CopyOnWriteArrayList<>());
        });
        assertEquals(1, opened.size());
        assertEquals(List.of(Thread.currentThread().getName()), threads);
    }
}
