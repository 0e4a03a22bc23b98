package dev.easgate.backends.dav;

import dev.easgate.wbxml.WbxmlElement;
import ezvcard.Ezvcard;
import ezvcard.VCard;
import ezvcard.VCardVersion;
import ezvcard.parameter.AddressType;
import ezvcard.parameter.ImageType;
import ezvcard.parameter.TelephoneType;
import ezvcard.property.Address;
import ezvcard.property.Birthday;
import ezvcard.property.Categories;
import ezvcard.property.Email;
import ezvcard.property.Impp;
import ezvcard.property.Nickname;
import ezvcard.property.Note;
import ezvcard.property.Organization;
import ezvcard.property.Photo;
import ezvcard.property.RawProperty;
import ezvcard.property.StructuredName;
import ezvcard.property.Telephone;
import ezvcard.property.Title;
import ezvcard.property.Uid;
import ezvcard.property.Url;
import ezvcard.property.VCardProperty;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * EAS contacts (MS-ASCNTC, Contacts and Contacts2 pages) to and from vCard 3.0 (RFC 2426) through ez-vcard:
 * names N/FN, three EMAILs, thirteen kinds of TEL told apart by TYPE, three ADRs (WORK, HOME, OTHER
 * (TYPE=X-OTHER)), ORG with department, TITLE, BDAY, X-ANNIVERSARY, NOTE, PHOTO, URL, CATEGORIES, NICKNAME, IMPP,
 * and the Apple/Evolution conventions X-SPOUSE, X-ASSISTANT, X-MANAGER, X-PHONETIC-*; the rest as X-EAS-NAME.
 * Properties made from an EAS field carry X-EAS-FIELD=name so that e.g. Business2PhoneNumber comes back as such.
 */
final class VcardConverter {
    private record Tel(String field, Set<String> types) {
    }

    private static final List<Tel> TELS = List.of(
            new Tel("Contacts:MobilePhoneNumber", Set.of("cell")),
            new Tel("Contacts:BusinessPhoneNumber", Set.of("work", "voice")),
            new Tel("Contacts:Business2PhoneNumber", Set.of("work", "voice")),
            new Tel("Contacts:HomePhoneNumber", Set.of("home", "voice")),
            new Tel("Contacts:Home2PhoneNumber", Set.of("home", "voice")),
            new Tel("Contacts:BusinessFaxNumber", Set.of("work", "fax")),
            new Tel("Contacts:HomeFaxNumber", Set.of("home", "fax")),
            new Tel("Contacts:CarPhoneNumber", Set.of("car")),
            new Tel("Contacts:PagerNumber", Set.of("pager")),
            new Tel("Contacts:RadioPhoneNumber", Set.of("x-radio")),
            new Tel("Contacts:AssistantPhoneNumber", Set.of("x-assistant")),
            new Tel("Contacts2:CompanyMainPhone", Set.of("work", "x-company-main")),
            new Tel("Contacts2:MMS", Set.of("msg")));

    /** EAS text fields carried as extended properties. */
    private static final List<String[]> EXTENDED = List.of(
            new String[] {"Contacts:Spouse", "X-SPOUSE"},
            new String[] {"Contacts:AssistantName", "X-ASSISTANT"},
            new String[] {"Contacts2:ManagerName", "X-MANAGER"},
            new String[] {"Contacts:YomiFirstName", "X-PHONETIC-FIRST-NAME"},
            new String[] {"Contacts:YomiLastName", "X-PHONETIC-LAST-NAME"},
            new String[] {"Contacts:YomiCompanyName", "X-PHONETIC-ORG"},
            new String[] {"Contacts:OfficeLocation", "X-EAS-OFFICELOCATION"},
            new String[] {"Contacts:Alias", "X-EAS-ALIAS"},
            new String[] {"Contacts:WeightedRank", "X-EAS-WEIGHTEDRANK"},
            new String[] {"Contacts2:CustomerId", "X-EAS-CUSTOMERID"},
            new String[] {"Contacts2:GovernmentId", "X-EAS-GOVERNMENTID"},
            new String[] {"Contacts2:AccountName", "X-EAS-ACCOUNTNAME"});

    private static final String[] ADDRESS_KINDS = {"Business", "Home", "Other"};
    private static final String FIELD = "X-EAS-FIELD";

    static final Set<String> HANDLED = handled();

    private VcardConverter() {
    }

    private static Set<String> handled() {
        Set<String> set = new HashSet<>(List.of("Contacts:FileAs", "Contacts:FirstName", "Contacts:LastName",
                "Contacts:MiddleName", "Contacts:Title", "Contacts:Suffix", "Contacts:Email1Address",
                "Contacts:Email2Address", "Contacts:Email3Address", "Contacts:CompanyName", "Contacts:Department",
                "Contacts:JobTitle", "Contacts:Birthday", "Contacts:Anniversary", "AirSyncBase:Body",
                "Contacts:Picture", "Contacts:WebPage", "Contacts:Categories", "Contacts2:NickName",
                "Contacts2:IMAddress", "Contacts2:IMAddress2", "Contacts2:IMAddress3", "Contacts:Children"));
        TELS.forEach(t -> set.add(t.field()));
        EXTENDED.forEach(e -> set.add(e[0]));
        for (String kind : ADDRESS_KINDS) {
            for (String part : List.of("Street", "City", "State", "PostalCode", "Country")) {
                set.add("Contacts:" + kind + "Address" + part);
            }
        }
        return Set.copyOf(set);
    }

    // ---- EAS -> vCard -------------------------------------------------------------------------------------------

    static VCard toVcard(WbxmlElement data, String uid) {
        VCard card = new VCard();
        card.setUid(new Uid(uid));
        StructuredName n = new StructuredName();
        n.setFamily(data.childText("Contacts:LastName"));
        n.setGiven(data.childText("Contacts:FirstName"));
        if (data.childText("Contacts:MiddleName") != null) {
            n.getAdditionalNames().add(data.childText("Contacts:MiddleName"));
        }
        if (data.childText("Contacts:Title") != null) {
            n.getPrefixes().add(data.childText("Contacts:Title"));
        }
        if (data.childText("Contacts:Suffix") != null) {
            n.getSuffixes().add(data.childText("Contacts:Suffix"));
        }
        card.setStructuredName(n);
        String fileAs = data.childText("Contacts:FileAs");
        card.setFormattedName(fileAs != null ? fileAs : displayName(data));
        for (int i = 1; i <= 3; i++) {
            String value = data.childText("Contacts:Email" + i + "Address");
            if (value != null) {
                Email email = new Email(addressOf(value));
                email.getTypes().add(ezvcard.parameter.EmailType.INTERNET);
                email.addParameter(FIELD, "Email" + i + "Address");
                card.addEmail(email);
            }
        }
        for (Tel tel : TELS) {
            String value = data.childText(tel.field());
            if (value != null) {
                Telephone t = new Telephone(value);
                tel.types().forEach(type -> t.getTypes().add(TelephoneType.get(type)));
                t.addParameter(FIELD, local(tel.field()));
                card.addTelephoneNumber(t);
            }
        }
        for (String kind : ADDRESS_KINDS) {
            String prefix = "Contacts:" + kind + "Address";
            String street = data.childText(prefix + "Street");
            String city = data.childText(prefix + "City");
            String state = data.childText(prefix + "State");
            String postal = data.childText(prefix + "PostalCode");
            String country = data.childText(prefix + "Country");
            if (street != null || city != null || state != null || postal != null || country != null) {
                Address adr = new Address();
                adr.setStreetAddress(street);
                adr.setLocality(city);
                adr.setRegion(state);
                adr.setPostalCode(postal);
                adr.setCountry(country);
                adr.getTypes().add(switch (kind) {
                    case "Business" -> AddressType.WORK;
                    case "Home" -> AddressType.HOME;
                    default -> AddressType.get("x-other");
                });
                card.addAddress(adr);
            }
        }
        String company = data.childText("Contacts:CompanyName");
        String department = data.childText("Contacts:Department");
        if (company != null || department != null) {
            Organization org = new Organization();
            org.getValues().add(company == null ? "" : company);
            if (department != null) {
                org.getValues().add(department);
            }
            card.setOrganization(org);
        }
        if (data.childText("Contacts:JobTitle") != null) {
            card.addTitle(new Title(data.childText("Contacts:JobTitle")));
        }
        if (data.childText("Contacts:Birthday") != null) {
            card.setBirthday(new Birthday(LocalDate.parse(data.childText("Contacts:Birthday").substring(0, 10))));
        }
        if (data.childText("Contacts:Anniversary") != null) {
            card.addExtendedProperty("X-ANNIVERSARY", data.childText("Contacts:Anniversary").substring(0, 10));
        }
        WbxmlElement body = data.child("AirSyncBase:Body");
        if (body != null && body.childText("AirSyncBase:Data") != null) {
            card.addNote(new Note(body.childText("AirSyncBase:Data").replace("\r\n", "\n")));
        }
        if (data.childText("Contacts:Picture") != null) {
            card.addPhoto(new Photo(Base64.getMimeDecoder().decode(data.childText("Contacts:Picture")),
                    ImageType.JPEG));
        }
        if (data.childText("Contacts:WebPage") != null) {
            card.addUrl(new Url(data.childText("Contacts:WebPage")));
        }
        WbxmlElement categories = data.child("Contacts:Categories");
        if (categories != null) {
            Categories c = new Categories();
            categories.children().forEach(cat -> c.getValues().add(cat.textOrOpaqueUtf8()));
            card.setCategories(c);
        }
        if (data.childText("Contacts2:NickName") != null) {
            Nickname nick = new Nickname();
            nick.getValues().add(data.childText("Contacts2:NickName"));
            card.setNickname(nick);
        }
        for (String im : List.of("IMAddress", "IMAddress2", "IMAddress3")) {
            String value = data.childText("Contacts2:" + im);
            if (value != null) {
                Impp impp = new Impp(value.contains(":") ? value : "x-eas:" + value);
                impp.addParameter(FIELD, im);
                card.addImpp(impp);
            }
        }
        WbxmlElement children = data.child("Contacts:Children");
        if (children != null) {
            children.children().forEach(child -> card.addExtendedProperty("X-EAS-CHILD", child.textOrOpaqueUtf8()));
        }
        for (String[] ext : EXTENDED) {
            String value = data.childText(ext[0]);
            if (value != null) {
                card.addExtendedProperty(ext[1], value);
            }
        }
        return card;
    }

    private static String local(String qualified) {
        return qualified.substring(qualified.indexOf(':') + 1);
    }

    private static String displayName(WbxmlElement data) {
        List<String> parts = new ArrayList<>();
        for (String f : List.of("Contacts:FirstName", "Contacts:MiddleName", "Contacts:LastName")) {
            if (data.childText(f) != null) {
                parts.add(data.childText(f));
            }
        }
        if (parts.isEmpty() && data.childText("Contacts:CompanyName") != null) {
            parts.add(data.childText("Contacts:CompanyName"));
        }
        return String.join(" ", parts);
    }

    /** The address of {@code "Name" <a@b>} (MS-ASCNTC 2.2.2.27 allows the display name). */
    static String addressOf(String value) {
        int lt = value.lastIndexOf('<');
        int gt = value.lastIndexOf('>');
        return lt >= 0 && gt > lt ? value.substring(lt + 1, gt).trim() : value.trim();
    }

    static String write(VCard card) {
        return Ezvcard.write(card).version(VCardVersion.V3_0).prodId(false).go();
    }

    static VCard parse(String text) {
        VCard card = Ezvcard.parse(text).first();
        if (card == null) {
            throw new IllegalArgumentException("no vCard");
        }
        return card;
    }

    // ---- vCard -> EAS -------------------------------------------------------------------------------------------

    static WbxmlElement toEas(VCard card) {
        WbxmlElement.Builder d = WbxmlElement.el("AirSync:ApplicationData");
        StructuredName n = card.getStructuredName();
        WbxmlElement.Builder rest = WbxmlElement.el("AirSync:ApplicationData");
        WbxmlElement body = null;
        if (!card.getNotes().isEmpty()) {
            body = WbxmlElement.el("AirSyncBase:Body").child("Type", "1")
                    .child("Data", card.getNotes().get(0).getValue().replace("\r\n", "\n").replace("\n", "\r\n"))
                    .build();
        }
        if (body != null) {
            d.child(body);
        }
        String birthday = card.getBirthday() == null ? null : card.getBirthday().getDate() != null
                ? card.getBirthday().getDate().toString().substring(0, 10) : card.getBirthday().getText();
        if (birthday != null && birthday.length() == 8 && !birthday.contains("-")) {
            birthday = birthday.substring(0, 4) + "-" + birthday.substring(4, 6) + "-" + birthday.substring(6);
        }
        RawProperty anniversary = card.getExtendedProperty("X-ANNIVERSARY");
        d.optional("Contacts:Anniversary", anniversary == null ? null : anniversary.getValue() + "T00:00:00.000Z");
        d.optional("Contacts:Birthday", birthday == null ? null : birthday + "T00:00:00.000Z");
        Organization org = card.getOrganization();
        if (org != null && org.getValues().size() > 1) {
            d.child("Contacts:Department", org.getValues().get(1));
        }
        // telephones: by X-EAS-FIELD, else the first free field whose types they have
        Set<String> used = new LinkedHashSet<>();
        java.util.Map<String, String> tels = new java.util.HashMap<>();
        for (Telephone t : card.getTelephoneNumbers()) {
            String field = t.getParameter(FIELD);
            String qualified = null;
            if (field != null) {
                for (Tel tel : TELS) {
                    if (local(tel.field()).equals(field)) {
                        qualified = tel.field();
                    }
                }
            }
            if (qualified == null) {
                Set<String> types = new HashSet<>();
                t.getTypes().forEach(type -> types.add(type.getValue().toLowerCase(Locale.ROOT)));
                for (Tel tel : TELS) {
                    if (!used.contains(tel.field()) && types.containsAll(tel.types())) {
                        qualified = tel.field();
                        break;
                    }
                }
                if (qualified == null) {
                    qualified = types.contains("work") && !used.contains("Contacts:BusinessPhoneNumber")
                            ? "Contacts:BusinessPhoneNumber" : types.contains("home")
                            && !used.contains("Contacts:HomePhoneNumber") ? "Contacts:HomePhoneNumber"
                            : !used.contains("Contacts:MobilePhoneNumber") ? "Contacts:MobilePhoneNumber"
                            : "Contacts:Home2PhoneNumber";
                }
            }
            used.add(qualified);
            tels.put(qualified, t.getText() != null ? t.getText() : String.valueOf(t.getUri()));
        }
        // addresses
        java.util.Map<String, Address> addresses = new java.util.HashMap<>();
        for (Address adr : card.getAddresses()) {
            Set<String> types = new HashSet<>();
            adr.getTypes().forEach(type -> types.add(type.getValue().toLowerCase(Locale.ROOT)));
            String kind = types.contains("work") ? "Business" : types.contains("home") ? "Home" : "Other";
            addresses.putIfAbsent(kind, adr);
        }
        // emails by X-EAS-FIELD, else in order
        String[] emails = new String[3];
        List<String> unplaced = new ArrayList<>();
        for (Email e : card.getEmails()) {
            String field = e.getParameter(FIELD);
            if (field != null && field.matches("Email[123]Address")) {
                emails[field.charAt(5) - '1'] = e.getValue();
            } else {
                unplaced.add(e.getValue());
            }
        }
        for (int i = 0; i < 3 && !unplaced.isEmpty(); i++) {
            if (emails[i] == null) {
                emails[i] = unplaced.remove(0);
            }
        }
        java.util.Map<String, String> ims = new java.util.HashMap<>();
        List<String> unplacedIms = new ArrayList<>();
        for (Impp impp : card.getImpps()) {
            String uri = impp.getUri() == null ? null : impp.getUri().toString();
            if (uri == null) {
                continue;
            }
            String value = uri.startsWith("x-eas:") ? uri.substring(6) : uri;
            String field = impp.getParameter(FIELD);
            if (field != null) {
                ims.put(field, value);
            } else {
                unplacedIms.add(value);
            }
        }
        for (String im : List.of("IMAddress", "IMAddress2", "IMAddress3")) {
            if (!ims.containsKey(im) && !unplacedIms.isEmpty()) {
                ims.put(im, unplacedIms.remove(0));
            }
        }
        // in code page order
        for (Tel tel : TELS) {
            if (tel.field().startsWith("Contacts:") && tels.containsKey(tel.field())
                    && tel.field().compareTo("Contacts:C") < 0) {
                d.child(tel.field(), tels.get(tel.field()));
            }
        }
        address(d, "Business", addresses.get("Business"));
        for (Tel tel : TELS) {
            if (tel.field().startsWith("Contacts:") && tels.containsKey(tel.field())
                    && tel.field().compareTo("Contacts:C") >= 0) {
                d.child(tel.field(), tels.get(tel.field()));
            }
        }
        Categories categories = card.getCategories();
        if (categories != null && !categories.getValues().isEmpty()) {
            WbxmlElement.Builder list = WbxmlElement.el("Contacts:Categories");
            categories.getValues().forEach(c -> list.child("Category", c));
            d.child(list);
        }
        List<RawProperty> children = card.getExtendedProperties("X-EAS-CHILD");
        if (!children.isEmpty()) {
            WbxmlElement.Builder list = WbxmlElement.el("Contacts:Children");
            children.forEach(c -> list.child("Child", c.getValue()));
            d.child(list);
        }
        if (org != null && !org.getValues().isEmpty() && !org.getValues().get(0).isEmpty()) {
            d.child("Contacts:CompanyName", org.getValues().get(0));
        }
        for (int i = 0; i < 3; i++) {
            d.optional("Contacts:Email" + (i + 1) + "Address", emails[i]);
        }
        d.optional("Contacts:FileAs", card.getFormattedName() == null ? null : card.getFormattedName().getValue());
        if (n != null) {
            d.optional("Contacts:FirstName", n.getGiven());
        }
        address(d, "Home", addresses.get("Home"));
        if (!card.getTitles().isEmpty()) {
            d.child("Contacts:JobTitle", card.getTitles().get(0).getValue());
        }
        if (n != null) {
            d.optional("Contacts:LastName", n.getFamily());
            d.optional("Contacts:MiddleName", n.getAdditionalNames().isEmpty() ? null
                    : n.getAdditionalNames().get(0));
        }
        address(d, "Other", addresses.get("Other"));
        if (n != null) {
            d.optional("Contacts:Suffix", n.getSuffixes().isEmpty() ? null : n.getSuffixes().get(0));
            d.optional("Contacts:Title", n.getPrefixes().isEmpty() ? null : n.getPrefixes().get(0));
        }
        if (!card.getUrls().isEmpty()) {
            d.child("Contacts:WebPage", card.getUrls().get(0).getValue());
        }
        if (!card.getPhotos().isEmpty() && card.getPhotos().get(0).getData() != null) {
            d.child("Contacts:Picture", Base64.getEncoder().encodeToString(card.getPhotos().get(0).getData()));
        }
        for (String[] ext : EXTENDED) {
            RawProperty p = card.getExtendedProperty(ext[1]);
            if (p != null) {
                d.child(ext[0], p.getValue());
            }
        }
        for (String im : List.of("IMAddress", "IMAddress2", "IMAddress3")) {
            d.optional("Contacts2:" + im, ims.get(im));
        }
        for (Tel tel : TELS) {
            if (tel.field().startsWith("Contacts2:") && tels.containsKey(tel.field())) {
                d.child(tel.field(), tels.get(tel.field()));
            }
        }
        Nickname nick = card.getNickname();
        if (nick != null && !nick.getValues().isEmpty()) {
            d.child("Contacts2:NickName", nick.getValues().get(0));
        }
        return d.build();
    }

    private static void address(WbxmlElement.Builder d, String kind, Address adr) {
        if (adr == null) {
            return;
        }
        String prefix = "Contacts:" + kind + "Address";
        d.optional(prefix + "City", adr.getLocality());
        d.optional(prefix + "Country", adr.getCountry());
        d.optional(prefix + "PostalCode", adr.getPostalCode());
        d.optional(prefix + "State", adr.getRegion());
        d.optional(prefix + "Street", adr.getStreetAddress());
    }

    static boolean unused(VCardProperty p) {
        return p == null;
    }
}
