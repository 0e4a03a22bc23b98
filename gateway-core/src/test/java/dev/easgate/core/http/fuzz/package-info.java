/**
 * Fuzzing of the HTTP front: the query string in both forms, Basic credentials, and whole requests (headers, query,
 * body) through a running gateway. One set of properties, driven by Jazzer locally and by a bounded, seeded mutation
 * run in every build.
 */
package dev.easgate.core.http.fuzz;
