package dev.easgate.backends.dav;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.List;
import java.util.Optional;
import net.fortuna.ical4j.data.CalendarBuilder;
import net.fortuna.ical4j.data.CalendarOutputter;
import net.fortuna.ical4j.data.ParserException;
import net.fortuna.ical4j.model.Calendar;
import net.fortuna.ical4j.model.Component;
import net.fortuna.ical4j.model.ComponentBuilder;
import net.fortuna.ical4j.model.Parameter;
import net.fortuna.ical4j.model.ParameterBuilder;
import net.fortuna.ical4j.model.Property;
import net.fortuna.ical4j.model.PropertyBuilder;

/** Small helpers over ical4j's generic builders: properties by name and value, as they appear in the text. */
final class Ics {
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static final List<net.fortuna.ical4j.model.PropertyFactory<? extends Property>> PROPERTIES =
            (List) new net.fortuna.ical4j.data.DefaultPropertyFactorySupplier().get();
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static final List<net.fortuna.ical4j.model.ParameterFactory<? extends Parameter>> PARAMETERS =
            (List) new net.fortuna.ical4j.data.DefaultParameterFactorySupplier().get();

    private Ics() {
    }

    static Property prop(String name, String value, String... params) {
        PropertyBuilder builder = new PropertyBuilder(PROPERTIES).name(name).value(value);
        for (int i = 0; i + 1 < params.length; i += 2) {
            if (params[i + 1] != null) {
                builder.parameter(param(params[i], params[i + 1]));
            }
        }
        return builder.build();
    }

    static Parameter param(String name, String value) {
        return new ParameterBuilder(PARAMETERS).name(name).value(value).build();
    }

    static ComponentBuilder<?> component(String name) {
        @SuppressWarnings({"unchecked", "rawtypes"})
        List<net.fortuna.ical4j.model.ComponentFactory<?>> factories =
                (List) new net.fortuna.ical4j.data.DefaultComponentFactorySupplier().get();
        return new ComponentBuilder<Component>(factories).name(name);
    }

    /** A property's value, or null. */
    static String value(Component component, String name) {
        Optional<Property> p = component.getProperty(name);
        return p.map(Property::getValue).orElse(null);
    }

    static String param(Property property, String name) {
        Optional<Parameter> p = property.getParameter(name);
        return p.map(Parameter::getValue).orElse(null);
    }

    static List<Property> all(Component component, String name) {
        return component.getProperties(name);
    }

    static List<Component> components(Calendar cal, String name) {
        List<Component> out = new java.util.ArrayList<>();
        for (Component c : cal.getComponentList().getAll()) {
            if (c.getName().equals(name)) {
                out.add(c);
            }
        }
        return out;
    }

    static List<Component> subComponents(Component parent, String name) {
        List<Component> out = new java.util.ArrayList<>();
        if (parent instanceof net.fortuna.ical4j.model.ComponentContainer<?> container) {
            for (Component c : container.getComponentList().getAll()) {
                if (c.getName().equals(name)) {
                    out.add(c);
                }
            }
        }
        return out;
    }

    static String write(Calendar calendar) {
        StringWriter out = new StringWriter();
        try {
            new CalendarOutputter(false).output(calendar, out);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }

    /**
     * Parses iCalendar text. Lines may end in a bare LF: a calendar-data property inside a multistatus body comes
     * with its CRs gone (XML 1.0 2.11 normalises line ends), and ical4j unfolds only CRLF followed by white space
     * (RFC 5545 3.1), so a folded line would otherwise be cut where it was folded.
     */
    static Calendar parse(String text) {
        try {
            return new CalendarBuilder().build(new StringReader(text.replace("\r\n", "\n").replace("\n", "\r\n")));
        } catch (IOException | ParserException e) {
            throw new IllegalArgumentException("malformed iCalendar: " + e.getMessage(), e);
        }
    }
}
