/**
 * The EAS WBXML codec (MS-ASWBXML): {@link dev.easgate.wbxml.WbxmlDecoder} turns bytes into an immutable
 * {@link dev.easgate.wbxml.WbxmlElement} tree, {@link dev.easgate.wbxml.WbxmlEncoder} writes a tree back, and
 * {@link dev.easgate.wbxml.WbxmlXml} renders trees as XML for humans. No network, no Reactor.
 */
package dev.easgate.wbxml;
