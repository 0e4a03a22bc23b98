/**
 * Where Out of Office settings go ({@code sieve.*} options): a Sieve vacation script over ManageSieve, or only the
 * gateway's state store.
 */
package dev.easgate.core.oof;
