/**
 * The load scenarios (idle, wake, sync, storm) as run by one generator process ({@link
 * dev.easgate.bench.scenario.Worker}) over its share of the devices, with the measurements each reports.
 */
package dev.easgate.bench.scenario;
