package dev.easgate.wbxml;

import java.util.AbstractList;
import java.util.RandomAccess;

/** An immutable list over an array the codec owns: one allocation less than {@code List.of} copying it. */
final class ElementList extends AbstractList<WbxmlElement> implements RandomAccess {
    static final ElementList EMPTY = new ElementList(new WbxmlElement[0]);

    private final WbxmlElement[] elements;

    ElementList(WbxmlElement[] elements) {
        this.elements = elements;
    }

    @Override
    public WbxmlElement get(int index) {
        return elements[index];
    }

    @Override
    public int size() {
        return elements.length;
    }
}
