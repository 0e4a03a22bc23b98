package dev.easgate.wbxml;

import static dev.easgate.wbxml.WbxmlException.Reason.BAD_XML;

import dev.easgate.wbxml.codepage.CodePage;
import dev.easgate.wbxml.codepage.Tag;

import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.TreeMap;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Renders element trees as indented XML for humans (logs, fixtures, the {@code wbxml} tool) and parses such XML
 * back into a tree.
 *
 * <p>The root's page is the default namespace ({@code xmlns="AirSync:"}, the namespace URIs MS-ASCMD uses); other
 * pages get a lower-case prefix declared on the root ({@code xmlns:airsyncbase="AirSyncBase:"}). Values XML cannot
 * show as plain text carry a {@code wbxml} attribute: {@code opaque} (opaque bytes that are readable UTF-8),
 * {@code opaque-base64}, {@code base64} (text with characters XML 1.0 forbids) and {@code empty} (a value of "",
 * which differs on the wire from no value).
 */
public final class WbxmlXml {
    private static final String ATTRIBUTE = "wbxml";

    private WbxmlXml() {
    }

    /** The XML rendering, without an XML declaration, ending in a newline. */
    public static String render(WbxmlElement root, Redaction redaction) {
        StringBuilder out = new StringBuilder(256);
        TreeMap<Integer, CodePage> pages = new TreeMap<>();
        collectPages(root, pages);
        pages.remove(root.page().number());
        renderElement(root, root.page(), redaction, pages.values(), 0, out);
        return out.toString();
    }

    private static void collectPages(WbxmlElement element, TreeMap<Integer, CodePage> pages) {
        pages.put(element.page().number(), element.page());
        for (WbxmlElement child : element.children()) {
            collectPages(child, pages);
        }
    }

    private static void renderElement(WbxmlElement element, CodePage defaultPage, Redaction redaction,
                                      Iterable<CodePage> declarations, int depth, StringBuilder out) {
        out.append("  ".repeat(depth)).append('<');
        String name = qualified(element, defaultPage);
        out.append(name);
        if (depth == 0) {
            out.append(" xmlns=\"").append(defaultPage.namespaceUri()).append('"');
            for (CodePage page : declarations) {
                out.append(" xmlns:").append(page.xmlPrefix()).append("=\"").append(page.namespaceUri()).append('"');
            }
        }
        List<WbxmlElement> children = element.children();
        if (!children.isEmpty()) {
            out.append(">\n");
            for (WbxmlElement child : children) {
                renderElement(child, defaultPage, redaction, declarations, depth + 1, out);
            }
            out.append("  ".repeat(depth)).append("</").append(name).append(">\n");
            return;
        }
        String text = element.text();
        Opaque opaque = element.opaque();
        if (text == null && opaque == null) {
            out.append("/>\n");
            return;
        }
        boolean redact = redaction == Redaction.USER_CONTENT && element.tag().userContent();
        if (text != null) {
            if (text.isEmpty()) {
                out.append(' ').append(ATTRIBUTE).append("=\"empty\"/>\n");
                return;
            }
            if (redact) {
                out.append(">[redacted: ").append(text.length()).append(" chars]");
            } else if (xmlSafe(text)) {
                out.append('>');
                escape(text, out);
            } else {
                out.append(' ').append(ATTRIBUTE).append("=\"base64\">")
                        .append(Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8)));
            }
        } else {
            String readable = redact ? null : readableUtf8(opaque.toByteArray());
            if (redact) {
                out.append(' ').append(ATTRIBUTE).append("=\"opaque\">[redacted: ")
                        .append(opaque.length()).append(" bytes]");
            } else if (readable != null) {
                out.append(' ').append(ATTRIBUTE).append("=\"opaque\">");
                escape(readable, out);
            } else {
                out.append(' ').append(ATTRIBUTE).append("=\"opaque-base64\">")
                        .append(Base64.getEncoder().encodeToString(opaque.toByteArray()));
            }
        }
        out.append("</").append(name).append(">\n");
    }

    private static String qualified(WbxmlElement element, CodePage defaultPage) {
        return element.page() == defaultPage ? element.name() : element.page().xmlPrefix() + ":" + element.name();
    }

    /** The bytes as text when they are valid UTF-8 that XML can carry unchanged, otherwise {@code null}. */
    private static String readableUtf8(byte[] bytes) {
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
            return xmlSafe(text) && !text.isEmpty() ? text : null;
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** Whether XML 1.0 can carry the text: no control characters it forbids, no unpaired surrogates. */
    private static boolean xmlSafe(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 && c != '\n' && c != '\t' && c != '\r' || c == 0xFFFE || c == 0xFFFF) {
                return false;
            }
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++;
                } else {
                    return false;
                }
            }
        }
        return true;
    }

    private static void escape(String text, StringBuilder out) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '\r' -> out.append("&#13;"); // a literal CR would be normalised away by XML parsers
                default -> out.append(c);
            }
        }
    }

    /**
     * Parses an XML rendering (as {@link #render} writes it with {@link Redaction#NONE}, or written by hand) back
     * into a tree. Elements must be in EAS namespaces ({@code AirSync:} ...); whitespace between elements is
     * ignored; a leaf's text is kept exactly.
     *
     * @throws WbxmlException with reason {@code BAD_XML} and the character offset of the problem
     */
    public static WbxmlElement parse(String xml) {
        XMLInputFactory factory = XMLInputFactory.newFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        factory.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
        factory.setProperty(XMLInputFactory.IS_COALESCING, true);
        XMLStreamReader reader = null;
        try {
            reader = factory.createXMLStreamReader(new StringReader(xml));
            return parse(reader);
        } catch (XMLStreamException e) {
            long offset = e.getLocation() == null ? -1 : e.getLocation().getCharacterOffset();
            throw new WbxmlException(BAD_XML, offset, "not well-formed XML: " + firstLine(e.getMessage()), e);
        } finally {
            if (reader != null) {
                try {
                    reader.close();
                } catch (XMLStreamException ignored) {
                    // nothing left to release
                }
            }
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        String[] lines = message.strip().split("\n");
        return lines[lines.length - 1].strip();
    }

    /** An element being parsed. */
    private static final class Open {
        final Tag tag;
        final String encoding;
        final List<WbxmlElement> children = new ArrayList<>();
        final StringBuilder text = new StringBuilder();

        Open(Tag tag, String encoding) {
            this.tag = tag;
            this.encoding = encoding;
        }
    }

    private static WbxmlElement parse(XMLStreamReader reader) throws XMLStreamException {
        Deque<Open> open = new ArrayDeque<>();
        WbxmlElement root = null;
        while (reader.hasNext()) {
            int event = reader.next();
            long offset = reader.getLocation().getCharacterOffset();
            switch (event) {
                case XMLStreamReader.START_ELEMENT -> {
                    if (root != null) {
                        throw new WbxmlException(BAD_XML, offset, "a second root element");
                    }
                    open.push(new Open(tagOf(reader, offset), reader.getAttributeValue(null, ATTRIBUTE)));
                }
                case XMLStreamReader.CHARACTERS, XMLStreamReader.CDATA, XMLStreamReader.SPACE -> {
                    if (!open.isEmpty()) {
                        open.peek().text.append(reader.getText());
                    } else if (!reader.isWhiteSpace()) {
                        throw new WbxmlException(BAD_XML, offset, "text outside the root element");
                    }
                }
                case XMLStreamReader.END_ELEMENT -> {
                    WbxmlElement element = close(open.pop(), offset);
                    if (open.isEmpty()) {
                        root = element;
                    } else {
                        open.peek().children.add(element);
                    }
                }
                case XMLStreamReader.DTD ->
                    // EAS XML has no DTD; refusing any DOCTYPE keeps entity tricks (XXE, expansion bombs) out
                    throw new WbxmlException(BAD_XML, offset, "a document type declaration is not allowed");
                default -> {
                    // comments, processing instructions and the declaration carry nothing for WBXML
                }
            }
        }
        if (root == null) {
            throw new WbxmlException(BAD_XML, 0, "no root element");
        }
        return root;
    }

    private static Tag tagOf(XMLStreamReader reader, long offset) {
        String uri = reader.getNamespaceURI();
        CodePage page = uri == null ? null : CodePage.byNamespace(uri);
        if (page == null) {
            throw new WbxmlException(BAD_XML, offset, "element <" + reader.getLocalName()
                    + "> is not in an EAS namespace (got '" + uri + "')");
        }
        Tag tag = page.tag(reader.getLocalName());
        if (tag == null) {
            throw new WbxmlException(BAD_XML, offset, "no tag " + reader.getLocalName() + " in code page "
                    + page.namespace());
        }
        return tag;
    }

    /** Strict base64 with whitespace (line breaks) allowed anywhere; the MIME decoder would skip any junk. */
    private static byte[] decodeBase64(String text) {
        return Base64.getDecoder().decode(text.replaceAll("\\s+", ""));
    }

    private static WbxmlElement close(Open element, long offset) {
        String text = element.text.toString();
        if (!element.children.isEmpty()) {
            if (!text.isBlank()) {
                throw new WbxmlException(BAD_XML, offset, "text beside child elements in "
                        + element.tag.qualifiedName());
            }
            return WbxmlElement.parent(element.tag, element.children);
        }
        if (element.encoding == null) {
            return text.isEmpty() ? WbxmlElement.empty(element.tag) : WbxmlElement.text(element.tag, text);
        }
        try {
            return switch (element.encoding) {
                case "empty" -> WbxmlElement.text(element.tag, "");
                case "base64" -> WbxmlElement.text(element.tag,
                        new String(decodeBase64(text), StandardCharsets.UTF_8));
                case "opaque" -> WbxmlElement.opaque(element.tag, Opaque.of(text.getBytes(StandardCharsets.UTF_8)));
                case "opaque-base64" -> WbxmlElement.opaque(element.tag, Opaque.of(decodeBase64(text)));
                default -> throw new WbxmlException(BAD_XML, offset, "unknown wbxml=\"" + element.encoding + "\"");
            };
        } catch (IllegalArgumentException e) {
            throw new WbxmlException(BAD_XML, offset, "bad base64 or text in " + element.tag.qualifiedName(), e);
        }
    }
}
