package org.vigil.metrics.internal;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects the samples of each metric family while the status is walked, then builds the client's snapshots. A
 * family without samples is left out; a family's samples all carry the same label names (the client checks it).
 */
final class Families {

    private enum Kind { COUNTER, GAUGE, SUMMARY }

    private record Sample(Labels labels, double value, long count) {
    }

    private record Family(Kind kind, String help, List<Sample> samples) {
    }

    private final Map<String, Family> families = new LinkedHashMap<>();

    /** @param name without {@code _total} (the text format adds it) */
    void counter(String name, String help, double value, String... labels) {
        add(name, Kind.COUNTER, help, new Sample(Labels.of(labels), value, 0));
    }

    void gauge(String name, String help, double value, String... labels) {
        add(name, Kind.GAUGE, help, new Sample(Labels.of(labels), value, 0));
    }

    /** @param sum in the metric's unit (seconds) */
    void summary(String name, String help, long count, double sum, String... labels) {
        add(name, Kind.SUMMARY, help, new Sample(Labels.of(labels), sum, count));
    }

    private void add(String name, Kind kind, String help, Sample s) {
        families.computeIfAbsent(name, n -> new Family(kind, help, new ArrayList<>())).samples.add(s);
    }

    MetricSnapshots build() {
        MetricSnapshots.Builder all = MetricSnapshots.builder();
        families.forEach((name, f) -> all.metricSnapshot(snapshot(name, f)));
        return all.build();
    }

    private static MetricSnapshot snapshot(String name, Family f) {
        switch (f.kind) {
            case COUNTER -> {
                CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(f.help);
                f.samples.forEach(s -> b.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().labels(s.labels)
                        .value(s.value).build()));
                return b.build();
            }
            case GAUGE -> {
                GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(f.help);
                f.samples.forEach(s -> b.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(s.labels)
                        .value(s.value).build()));
                return b.build();
            }
            default -> {
                SummarySnapshot.Builder b = SummarySnapshot.builder().name(name).help(f.help);
                f.samples.forEach(s -> b.dataPoint(SummarySnapshot.SummaryDataPointSnapshot.builder().labels(s.labels)
                        .count(s.count).sum(s.value).build()));
                return b.build();
            }
        }
    }
}
