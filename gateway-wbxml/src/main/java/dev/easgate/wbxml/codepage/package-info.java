/**
 * The EAS code pages of MS-ASWBXML 2.1.2.1: for each page its namespace and the token of every tag, as interned
 * {@link dev.easgate.wbxml.codepage.Tag} values.
 */
package dev.easgate.wbxml.codepage;
