package org.example.paging;

import java.util.List;

/** One page of a listing: its items, its number (from 1) and how many pages there are. */
public record Page<T>(List<T> items, int number, int totalPages) {
    public boolean hasNext() {
        return number < totalPages;
    }

    public boolean hasPrevious() {
        return number > 1;
    }
}
