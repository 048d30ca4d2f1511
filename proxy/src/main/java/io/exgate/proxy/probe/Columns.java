package io.exgate.proxy.probe;

import java.util.ArrayList;
import java.util.List;

/** A plain-text table: columns as wide as their widest cell, two spaces apart, nothing after the last. */
final class Columns {
    private final List<List<String>> rows = new ArrayList<>();

    Columns row(String... cells) {
        rows.add(List.of(cells));
        return this;
    }

    List<String> lines() {
        int columns = rows.stream().mapToInt(List::size).max().orElse(0);
        int[] widths = new int[columns];
        for (List<String> row : rows) {
            for (int i = 0; i < row.size() - 1; i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        List<String> lines = new ArrayList<>();
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                line.append(row.get(i));
                if (i < row.size() - 1) {
                    line.append(" ".repeat(widths[i] - row.get(i).length() + 2));
                }
            }
            lines.add(line.toString().stripTrailing());
        }
        return lines;
    }
}
