package dev.easgate.wbxml;

import dev.easgate.wbxml.codepage.CodePage;
import dev.easgate.wbxml.codepage.Tag;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * One immutable element of a WBXML document: a {@link Tag} and either children, a text value, an opaque value, or
 * nothing (a tag without content).
 *
 * <p>A text value of {@code ""} and no value at all are different on the wire ({@code <Tag/>} is written without
 * the content bit) and are kept apart here, so that decoding and encoding round-trip byte for byte.
 */
public final class WbxmlElement {
    private final Tag tag;
    private final List<WbxmlElement> children;
    private final Object value; // null, String or Opaque

    WbxmlElement(Tag tag, List<WbxmlElement> children, Object value) {
        this.tag = tag;
        this.children = children;
        this.value = value;
    }

    // ---- factories ----------------------------------------------------------------------------------------------

    /** A builder for an element of {@code page}; child names without a namespace resolve in the same page. */
    public static Builder el(CodePage page, String name) {
        return new Builder(page.require(name));
    }

    /** A builder for {@code Namespace:Name}, e.g. {@code el("AirSyncBase:Body")}. */
    public static Builder el(String qualifiedName) {
        int colon = qualifiedName.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("expected Namespace:Name, got '" + qualifiedName + "'");
        }
        return new Builder(CodePage.resolve(qualifiedName, null));
    }

    public static Builder el(Tag tag) {
        return new Builder(tag);
    }

    /** An element without content. */
    public static WbxmlElement empty(Tag tag) {
        return new WbxmlElement(Objects.requireNonNull(tag), ElementList.EMPTY, null);
    }

    /** An element holding text; the text may not contain U+0000, which WBXML inline strings cannot carry. */
    public static WbxmlElement text(Tag tag, String text) {
        return new WbxmlElement(Objects.requireNonNull(tag), ElementList.EMPTY, checkText(text));
    }

    public static WbxmlElement opaque(Tag tag, Opaque data) {
        return new WbxmlElement(Objects.requireNonNull(tag), ElementList.EMPTY, Objects.requireNonNull(data));
    }

    public static WbxmlElement parent(Tag tag, List<WbxmlElement> children) {
        return new WbxmlElement(Objects.requireNonNull(tag), List.copyOf(children), null);
    }

    private static String checkText(String text) {
        if (text.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("text of a WBXML element cannot contain U+0000");
        }
        return text;
    }

    /**
     * This tree with every opaque value copied into its own array: decoded opaque values view the decoder's input,
     * so a tree that must outlive that input (its buffer released) is detached first. A tree without opaque values
     * is returned as it is.
     */
    public WbxmlElement detached() {
        if (value instanceof Opaque opaque) {
            return new WbxmlElement(tag, children, Opaque.of(opaque.toByteArray()));
        }
        if (children.isEmpty()) {
            return this;
        }
        List<WbxmlElement> copies = null;
        for (int i = 0; i < children.size(); i++) {
            WbxmlElement child = children.get(i);
            WbxmlElement copy = child.detached();
            if (copy != child && copies == null) {
                copies = new java.util.ArrayList<>(children.subList(0, i));
            }
            if (copies != null) {
                copies.add(copy);
            }
        }
        return copies == null ? this : new WbxmlElement(tag, List.copyOf(copies), value);
    }

    // ---- accessors ----------------------------------------------------------------------------------------------

    public Tag tag() {
        return tag;
    }

    /** The local name, e.g. {@code Body}. */
    public String name() {
        return tag.name();
    }

    public CodePage page() {
        return tag.page();
    }

    /** The children in document order; empty for a leaf. */
    public List<WbxmlElement> children() {
        return children;
    }

    /** Whether the element is written with the content bit: it has children, text (even empty) or opaque data. */
    public boolean hasContent() {
        return value != null || !children.isEmpty();
    }

    /** The text value, or {@code null} when the element holds no text (opaque data, children, or nothing). */
    public String text() {
        return value instanceof String s ? s : null;
    }

    /** The opaque value, or {@code null}. */
    public Opaque opaque() {
        return value instanceof Opaque o ? o : null;
    }

    /** The value as text: the text, or opaque data read as UTF-8, or {@code null}. */
    public String textOrOpaqueUtf8() {
        if (value instanceof String s) {
            return s;
        }
        return value instanceof Opaque o ? o.toUtf8() : null;
    }

    /**
     * The first child with this name, or {@code null}. A plain {@code Name} matches the local name on any page; a
     * {@code Namespace:Name} matches only that page.
     */
    public WbxmlElement child(String name) {
        for (WbxmlElement child : children) {
            if (child.matches(name)) {
                return child;
            }
        }
        return null;
    }

    /** The text of the first child with this name, or {@code null} (see {@link #child(String)}). */
    public String childText(String name) {
        WbxmlElement child = child(name);
        return child == null ? null : child.textOrOpaqueUtf8();
    }

    /** Every child with this name, in document order (see {@link #child(String)}). */
    public List<WbxmlElement> children(String name) {
        List<WbxmlElement> found = new ArrayList<>();
        for (WbxmlElement child : children) {
            if (child.matches(name)) {
                found.add(child);
            }
        }
        return found;
    }

    /** Whether this element has the given name (see {@link #child(String)} for the forms). */
    public boolean matches(String name) {
        int colon = name.indexOf(':');
        if (colon < 0) {
            return tag.name().equals(name);
        }
        return tag.name().length() == name.length() - colon - 1
                && name.endsWith(tag.name())
                && name.regionMatches(0, tag.page().namespace(), 0, colon)
                && tag.page().namespace().length() == colon;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WbxmlElement other
                && tag == other.tag
                && Objects.equals(value, other.value)
                && children.equals(other.children);
    }

    @Override
    public int hashCode() {
        return (tag.hashCode() * 31 + Objects.hashCode(value)) * 31 + children.hashCode();
    }

    /** A redacted XML rendering: safe to log. */
    @Override
    public String toString() {
        return WbxmlXml.render(this, Redaction.USER_CONTENT);
    }

    // ---- builder ------------------------------------------------------------------------------------------------

    /**
     * Builds an element; child names without a namespace are looked up in this element's page. Mutable, single use.
     */
    public static final class Builder {
        private final Tag tag;
        private final List<WbxmlElement> children = new ArrayList<>();
        private Object value;

        Builder(Tag tag) {
            this.tag = tag;
        }

        private Tag resolve(String name) {
            return CodePage.resolve(name, tag.page());
        }

        /** Sets this element's own text (an element holds either a value or children). */
        public Builder text(String text) {
            ensureNoChildren();
            this.value = checkText(text);
            return this;
        }

        /** Sets this element's own opaque value. */
        public Builder opaque(Opaque data) {
            ensureNoChildren();
            this.value = Objects.requireNonNull(data);
            return this;
        }

        /** Adds a child without content, e.g. {@code <MoreAvailable/>}. */
        public Builder empty(String name) {
            return child(WbxmlElement.empty(resolve(name)));
        }

        /** Adds a child holding text. */
        public Builder child(String name, String text) {
            return child(WbxmlElement.text(resolve(name), text));
        }

        /** Adds a child holding a number. */
        public Builder child(String name, long number) {
            return child(WbxmlElement.text(resolve(name), Long.toString(number)));
        }

        /** Adds a child holding opaque data. */
        public Builder opaque(String name, Opaque data) {
            return child(WbxmlElement.opaque(resolve(name), data));
        }

        /** Adds a child holding opaque data (wrapped, not copied). */
        public Builder opaque(String name, byte[] data) {
            return opaque(name, Opaque.of(data));
        }

        /** Adds a child built by {@code body}; its unqualified names resolve in the child's own page. */
        public Builder child(String name, Consumer<Builder> body) {
            Builder child = new Builder(resolve(name));
            body.accept(child);
            return child(child.build());
        }

        /** Adds a child holding text when the text is not {@code null}; does nothing otherwise. */
        public Builder optional(String name, String textOrNull) {
            return textOrNull == null ? this : child(name, textOrNull);
        }

        /** Adds a child holding the number when it is not {@code null}; does nothing otherwise. */
        public Builder optional(String name, Integer numberOrNull) {
            return numberOrNull == null ? this : child(name, numberOrNull.longValue());
        }

        public Builder child(Builder child) {
            return child(child.build());
        }

        public Builder child(WbxmlElement child) {
            if (value != null) {
                throw new IllegalStateException(tag.qualifiedName() + " already holds a value");
            }
            children.add(Objects.requireNonNull(child));
            return this;
        }

        public Builder children(Iterable<WbxmlElement> more) {
            for (WbxmlElement child : more) {
                child(child);
            }
            return this;
        }

        private void ensureNoChildren() {
            if (!children.isEmpty()) {
                throw new IllegalStateException(tag.qualifiedName() + " already holds children");
            }
        }

        public WbxmlElement build() {
            List<WbxmlElement> list = children.isEmpty()
                    ? ElementList.EMPTY
                    : new ElementList(children.toArray(new WbxmlElement[0]));
            return new WbxmlElement(tag, list, value);
        }
    }
}
