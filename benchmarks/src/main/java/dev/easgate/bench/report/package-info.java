/**
 * What a run leaves behind: report.json (every figure, the machine, versions and settings), .hgrm percentile files,
 * SVG charts (RSS against parked devices, the latency percentile curve) and the summary table on stdout.
 */
package dev.easgate.bench.report;
