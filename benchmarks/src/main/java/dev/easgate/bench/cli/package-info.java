/**
 * {@code bin/eas-bench}: the picocli command ({@link dev.easgate.bench.cli.EasBench}) and the orchestration of one
 * run ({@link dev.easgate.bench.cli.BenchRun}): start what is needed, spread the devices over generator processes
 * and source addresses, drive the phases, gather one report, stop everything it started.
 */
package dev.easgate.bench.cli;
