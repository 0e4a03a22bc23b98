package dev.easgate.backends.dav;

import dev.easgate.backends.mail.MailStoreException;
import java.io.StringReader;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/** WebDAV multistatus bodies (RFC 4918, 6578, 4791, 6352) read with the JDK's parser, DTDs and entities off. */
final class DavXml {
    static final String DAV = "DAV:";
    static final String CALDAV = "urn:ietf:params:xml:ns:caldav";
    static final String CARDDAV = "urn:ietf:params:xml:ns:carddav";

    /** One response of a multistatus: href, the status of the response (404 for a removed member), found props. */
    record Member(String href, int status, Map<String, Element> props) {
        String text(String name) {
            Element e = props.get(name);
            return e == null ? null : e.getTextContent().trim();
        }

        /** Whether a property holds a child element of this local name (resourcetype collection, calendar...). */
        boolean has(String property, String childLocalName) {
            Element e = props.get(property);
            return e != null && !childrenNamed(e, childLocalName).isEmpty();
        }
    }

    record MultiStatus(List<Member> members, String syncToken) {
    }

    private static final DocumentBuilderFactory FACTORY = factory();

    private DavXml() {
    }

    private static DocumentBuilderFactory factory() {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setExpandEntityReferences(false);
        f.setXIncludeAware(false);
        try {
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature("http://xml.org/sax/features/external-general-entities", false);
            f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException(e);
        }
        f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        return f;
    }

    static MultiStatus parse(String body) {
        Document doc;
        try {
            DocumentBuilder builder = FACTORY.newDocumentBuilder();
            doc = builder.parse(new InputSource(new StringReader(body)));
        } catch (Exception e) {
            throw new MailStoreException(MailStoreException.Kind.UNAVAILABLE, "malformed multistatus: " + e, e);
        }
        List<Member> members = new ArrayList<>();
        Element root = doc.getDocumentElement();
        for (Element response : childrenNamed(root, "response")) {
            String href = decode(childText(response, "href"));
            int status = parseStatus(childText(response, "status"));
            Map<String, Element> props = new LinkedHashMap<>();
            for (Element propstat : childrenNamed(response, "propstat")) {
                if (parseStatus(childText(propstat, "status")) / 100 != 2) {
                    continue;
                }
                for (Element prop : childrenNamed(propstat, "prop")) {
                    for (Element p : children(prop)) {
                        props.put(p.getLocalName(), p);
                    }
                }
                if (status == 0) {
                    status = 200;
                }
            }
            members.add(new Member(href, status, props));
        }
        return new MultiStatus(members, childText(root, "sync-token"));
    }

    private static String decode(String href) {
        if (href == null) {
            return null;
        }
        // hrefs are compared in their decoded path form
        String path = href.startsWith("http") ? java.net.URI.create(href).getRawPath() : href;
        return URLDecoder.decode(path.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static int parseStatus(String line) {
        if (line == null) {
            return 0;
        }
        String[] parts = line.trim().split(" ");
        try {
            return parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static List<Element> children(Element parent) {
        List<Element> out = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            if (nodes.item(i).getNodeType() == Node.ELEMENT_NODE) {
                out.add((Element) nodes.item(i));
            }
        }
        return out;
    }

    static List<Element> childrenNamed(Element parent, String localName) {
        List<Element> out = new ArrayList<>();
        for (Element e : children(parent)) {
            if (localName.equals(e.getLocalName())) {
                out.add(e);
            }
        }
        return out;
    }

    static String childText(Element parent, String localName) {
        List<Element> found = childrenNamed(parent, localName);
        return found.isEmpty() ? null : found.get(0).getTextContent().trim();
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
