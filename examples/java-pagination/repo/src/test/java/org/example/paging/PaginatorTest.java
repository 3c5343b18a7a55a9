package org.example.paging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PaginatorTest {
    private static List<Integer> items(int n) {
        return IntStream.rangeClosed(1, n).boxed().toList();
    }

    @Test
    void anEmptyListingHasOneEmptyPage() {
        Paginator p = new Paginator(10);
        assertEquals(1, p.pageCount(0));
        assertEquals(List.of(), p.page(List.of(), 1).items());
    }

    @Test
    void fullPagesOnly() {
        Paginator p = new Paginator(5);
        assertEquals(4, p.pageCount(20));
        assertEquals(List.of(16, 17, 18, 19, 20), p.page(items(20), 4).items());
    }

    @ParameterizedTest
    @CsvSource({"1, 10, 1", "11, 10, 2", "25, 10, 3", "7, 3, 3", "1, 1, 1"})
    void aPartialLastPageCounts(int itemCount, int pageSize, int expected) {
        assertEquals(expected, new Paginator(pageSize).pageCount(itemCount));
    }

    @Test
    void theLastPageHoldsTheRest() {
        Page<Integer> last = new Paginator(10).page(items(25), 3);
        assertEquals(List.of(21, 22, 23, 24, 25), last.items());
        assertFalse(last.hasNext());
        assertTrue(last.hasPrevious());
    }

    @Test
    void pagesOutsideTheListingAreRefused() {
        Paginator p = new Paginator(10);
        assertThrows(IllegalArgumentException.class, () -> p.page(items(25), 0));
        assertThrows(IllegalArgumentException.class, () -> p.page(items(25), 4));
    }

    @Test
    void badSizesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Paginator(0));
        assertThrows(IllegalArgumentException.class, () -> new Paginator(3).pageCount(-1));
    }
}
