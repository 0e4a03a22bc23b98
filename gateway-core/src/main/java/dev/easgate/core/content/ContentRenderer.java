package dev.easgate.core.content;

import dev.easgate.backends.mail.Item;
import dev.easgate.backends.mail.ItemContent;
import dev.easgate.wbxml.WbxmlElement;

/** Renders any stored item as the AirSync:ApplicationData its class defines, for the client's options. */
public final class ContentRenderer {
    private ContentRenderer() {
    }

    public static WbxmlElement applicationData(Item item, ContentOptions options) {
        if (item.content() instanceof ItemContent.Pim pim) {
            return PimRenderer.render(pim, options);
        }
        return EmailRenderer.render(item, options);
    }
}
