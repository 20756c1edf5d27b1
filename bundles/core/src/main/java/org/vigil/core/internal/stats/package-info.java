/**
 * Counters and timings kept for the status and the Prometheus metrics ({@code vigil:status --json}, docs/cli.md):
 * events by kind, groups taken over and restarted, resource operation durations, per-peer link figures. Each class
 * is thread-safe and cheap to update from the thread that observes the event; none takes part in a decision.
 */
package org.vigil.core.internal.stats;
