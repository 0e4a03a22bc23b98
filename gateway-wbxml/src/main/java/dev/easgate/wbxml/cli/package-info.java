/**
 * The {@code wbxml} command-line tool ({@code bin/wbxml}) for operators who read captured EAS traffic: WBXML to XML
 * and back, with the codec's own limits and one-line errors. No dependencies beyond the codec.
 */
package dev.easgate.wbxml.cli;
