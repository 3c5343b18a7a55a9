package org.example.paging;

import java.util.List;

/** Splits a listing into pages of a fixed size. */
public final class Paginator {
    private final int pageSize;

    public Paginator(int pageSize) {
        if (pageSize < 1) {
            throw new IllegalArgumentException("page size must be at least 1, was " + pageSize);
        }
        this.pageSize = pageSize;
    }

    /** How many pages {@code itemCount} items fill (an empty listing still has one, empty, page). */
    public int pageCount(int itemCount) {
        if (itemCount < 0) {
            throw new IllegalArgumentException("item count cannot be negative, was " + itemCount);
        }
        return Math.max(1, itemCount / pageSize);
    }

    /** Page {@code number} (from 1) of {@code items}. */
    public <T> Page<T> page(List<T> items, int number) {
        int pages = pageCount(items.size());
        if (number < 1 || number > pages) {
            throw new IllegalArgumentException("page " + number + " does not exist (1 to " + pages + ")");
        }
        int from = (number - 1) * pageSize;
        int to = Math.min(items.size(), from + pageSize);
        return new Page<>(List.copyOf(items.subList(from, to)), number, pages);
    }
}
