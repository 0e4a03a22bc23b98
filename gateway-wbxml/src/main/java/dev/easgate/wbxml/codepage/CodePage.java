package dev.easgate.wbxml.codepage;

import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The 26 code pages of MS-ASWBXML 2.1.2.1 (page 0 AirSync to page 25 Find, EAS 16.1).
 *
 * <p>Each page is written as a table, one tag a line: the token in hex, the tag name, and the word {@code plain}
 * when the tag's value is protocol control data (sync keys, ids, status codes, sizes, booleans, dates, enums) that
 * logs may show; every other value (names, addresses, subjects, bodies, phone numbers, passwords, certificates,
 * free text, queries) counts as user content and is redacted in logs by default. Tokens the specification leaves
 * out are left out here too, so that a decoder meeting them reports an unknown token.
 *
 * <p>Spec revision checked: [MS-ASWBXML] as published on Microsoft Learn for protocol versions 2.5 to 16.1
 * (section 2.1.2.1.1 to 2.1.2.1.26, the tables that add page 25 Find and the 16.1 tags). Every tag the specification
 * lists is here, including those it marks as valid only in protocol 2.5 or as not used (AirSync Version,
 * RtfTruncation and NotifyGUID, Ping AutdState, the FolderHierarchy tags of GetHierarchy, the whole AirNotify page
 * 3, the 2.5 body tags of Email, Contacts, Calendar and Tasks), because old clients still send them. Where the specification names a tag after its parent
 * ({@code Recurrence_Type}, {@code Attendee_Email}, {@code FlagStatus}), the name here is the one the XML uses
 * ({@code Type}, {@code Email}, {@code Status}). Calendar writes {@code Timezone}, Email {@code TimeZone}: both as
 * their schemas spell them. The differences from libwbxml's tables are listed in {@code LibwbxmlCrossCheckTest}.
 */
public enum CodePage {
    AIR_SYNC(0, "AirSync", """
            05 Sync
            06 Responses
            07 Add
            08 Change
            09 Delete
            0A Fetch
            0B SyncKey plain
            0C ClientId plain
            0D ServerId plain
            0E Status plain
            0F Collection
            10 Class plain
            11 Version plain
            12 CollectionId plain
            13 GetChanges plain
            14 MoreAvailable plain
            15 WindowSize plain
            16 Commands
            17 Options
            18 FilterType plain
            19 Truncation plain
            1A RtfTruncation plain
            1B Conflict plain
            1C Collections
            1D ApplicationData
            1E DeletesAsMoves plain
            1F NotifyGUID plain
            20 Supported
            21 SoftDelete
            22 MIMESupport plain
            23 MIMETruncation plain
            24 Wait plain
            25 Limit plain
            26 Partial plain
            27 ConversationMode plain
            28 MaxItems plain
            29 HeartbeatInterval plain
            """),
    CONTACTS(1, "Contacts", """
            05 Anniversary
            06 AssistantName
            07 AssistantPhoneNumber
            08 Birthday
            09 Body
            0A BodySize plain
            0B BodyTruncated plain
            0C Business2PhoneNumber
            0D BusinessAddressCity
            0E BusinessAddressCountry
            0F BusinessAddressPostalCode
            10 BusinessAddressState
            11 BusinessAddressStreet
            12 BusinessFaxNumber
            13 BusinessPhoneNumber
            14 CarPhoneNumber
            15 Categories
            16 Category
            17 Children
            18 Child
            19 CompanyName
            1A Department
            1B Email1Address
            1C Email2Address
            1D Email3Address
            1E FileAs
            1F FirstName
            20 Home2PhoneNumber
            21 HomeAddressCity
            22 HomeAddressCountry
            23 HomeAddressPostalCode
            24 HomeAddressState
            25 HomeAddressStreet
            26 HomeFaxNumber
            27 HomePhoneNumber
            28 JobTitle
            29 LastName
            2A MiddleName
            2B MobilePhoneNumber
            2C OfficeLocation
            2D OtherAddressCity
            2E OtherAddressCountry
            2F OtherAddressPostalCode
            30 OtherAddressState
            31 OtherAddressStreet
            32 PagerNumber
            33 RadioPhoneNumber
            34 Spouse
            35 Suffix
            36 Title
            37 WebPage
            38 YomiCompanyName
            39 YomiFirstName
            3A YomiLastName
            3B CompressedRTF
            3C Picture
            3D Alias
            3E WeightedRank plain
            """),
    EMAIL(2, "Email", """
            05 Attachment
            06 Attachments
            07 AttName
            08 AttSize plain
            09 Att0Id plain
            0A AttMethod plain
            0B AttRemoved plain
            0C Body
            0D BodySize plain
            0E BodyTruncated plain
            0F DateReceived plain
            10 DisplayName
            11 DisplayTo
            12 Importance plain
            13 MessageClass plain
            14 Subject
            15 Read plain
            16 To
            17 Cc
            18 From
            19 ReplyTo
            1A AllDayEvent plain
            1B Categories
            1C Category
            1D DtStamp plain
            1E EndTime plain
            1F InstanceType plain
            20 BusyStatus plain
            21 Location
            22 MeetingRequest
            23 Organizer
            24 RecurrenceId plain
            25 Reminder plain
            26 ResponseRequested plain
            27 Recurrences
            28 Recurrence
            29 Type plain
            2A Until plain
            2B Occurrences plain
            2C Interval plain
            2D DayOfWeek plain
            2E DayOfMonth plain
            2F WeekOfMonth plain
            30 MonthOfYear plain
            31 StartTime plain
            32 Sensitivity plain
            33 TimeZone plain
            34 GlobalObjId plain
            35 ThreadTopic
            36 MIMEData
            37 MIMETruncated plain
            38 MIMESize plain
            39 InternetCPID plain
            3A Flag
            3B Status plain
            3C ContentClass plain
            3D FlagType
            3E CompleteTime plain
            3F DisallowNewTimeProposal plain
            """),
    AIR_NOTIFY(3, "AirNotify", """
            05 Notify
            06 Notification
            07 Version plain
            08 LifeTime plain
            09 DeviceInfo
            0A Enable plain
            0B Folder
            0C ServerId plain
            0D DeviceAddress
            0E ValidCarrierProfiles
            0F CarrierProfile
            10 Status plain
            11 Responses
            12 Devices
            13 Device
            14 Id plain
            15 Expiry plain
            16 NotifyGUID plain
            17 DeviceFriendlyName
            """),
    CALENDAR(4, "Calendar", """
            05 Timezone plain
            06 AllDayEvent plain
            07 Attendees
            08 Attendee
            09 Email
            0A Name
            0B Body
            0C BodyTruncated plain
            0D BusyStatus plain
            0E Categories
            0F Category
            10 CompressedRTF
            11 DtStamp plain
            12 EndTime plain
            13 Exception
            14 Exceptions
            15 Deleted plain
            16 ExceptionStartTime plain
            17 Location
            18 MeetingStatus plain
            19 OrganizerEmail
            1A OrganizerName
            1B Recurrence
            1C Type plain
            1D Until plain
            1E Occurrences plain
            1F Interval plain
            20 DayOfWeek plain
            21 DayOfMonth plain
            22 WeekOfMonth plain
            23 MonthOfYear plain
            24 Reminder plain
            25 Sensitivity plain
            26 Subject
            27 StartTime plain
            28 UID plain
            29 AttendeeStatus plain
            2A AttendeeType plain
            33 DisallowNewTimeProposal plain
            34 ResponseRequested plain
            35 AppointmentReplyTime plain
            36 ResponseType plain
            37 CalendarType plain
            38 IsLeapMonth plain
            39 FirstDayOfWeek plain
            3A OnlineMeetingConfLink
            3B OnlineMeetingExternalLink
            3C ClientUid plain
            """),
    MOVE(5, "Move", """
            05 MoveItems
            06 Move
            07 SrcMsgId plain
            08 SrcFldId plain
            09 DstFldId plain
            0A Response
            0B Status plain
            0C DstMsgId plain
            """),
    GET_ITEM_ESTIMATE(6, "GetItemEstimate", """
            05 GetItemEstimate
            06 Version plain
            07 Collections
            08 Collection
            09 Class plain
            0A CollectionId plain
            0B DateTime plain
            0C Estimate plain
            0D Response
            0E Status plain
            """),
    FOLDER_HIERARCHY(7, "FolderHierarchy", """
            05 Folders
            06 Folder
            07 DisplayName
            08 ServerId plain
            09 ParentId plain
            0A Type plain
            0B Response
            0C Status plain
            0D ContentClass plain
            0E Changes
            0F Add
            10 Delete
            11 Update
            12 SyncKey plain
            13 FolderCreate
            14 FolderDelete
            15 FolderUpdate
            16 FolderSync
            17 Count plain
            18 Version plain
            """),
    MEETING_RESPONSE(8, "MeetingResponse", """
            05 CalendarId plain
            06 CollectionId plain
            07 MeetingResponse
            08 RequestId plain
            09 Request
            0A Result
            0B Status plain
            0C UserResponse plain
            0E InstanceId plain
            10 ProposedStartTime plain
            11 ProposedEndTime plain
            12 SendResponse
            """),
    TASKS(9, "Tasks", """
            05 Body
            06 BodySize plain
            07 BodyTruncated plain
            08 Categories
            09 Category
            0A Complete plain
            0B DateCompleted plain
            0C DueDate plain
            0D UtcDueDate plain
            0E Importance plain
            0F Recurrence
            10 Type plain
            11 Start plain
            12 Until plain
            13 Occurrences plain
            14 Interval plain
            15 DayOfMonth plain
            16 DayOfWeek plain
            17 WeekOfMonth plain
            18 MonthOfYear plain
            19 Regenerate plain
            1A DeadOccur plain
            1B ReminderSet plain
            1C ReminderTime plain
            1D Sensitivity plain
            1E StartDate plain
            1F UtcStartDate plain
            20 Subject
            21 CompressedRTF
            22 OrdinalDate plain
            23 SubOrdinalDate plain
            24 CalendarType plain
            25 IsLeapMonth plain
            26 FirstDayOfWeek plain
            """),
    RESOLVE_RECIPIENTS(10, "ResolveRecipients", """
            05 ResolveRecipients
            06 Response
            07 Status plain
            08 Type plain
            09 Recipient
            0A DisplayName
            0B EmailAddress
            0C Certificates
            0D Certificate
            0E MiniCertificate
            0F Options
            10 To
            11 CertificateRetrieval plain
            12 RecipientCount plain
            13 MaxCertificates plain
            14 MaxAmbiguousRecipients plain
            15 CertificateCount plain
            16 Availability
            17 StartTime plain
            18 EndTime plain
            19 MergedFreeBusy plain
            1A Picture
            1B MaxSize plain
            1C Data
            1D MaxPictures plain
            """),
    VALIDATE_CERT(11, "ValidateCert", """
            05 ValidateCert
            06 Certificates
            07 Certificate
            08 CertificateChain
            09 CheckCRL plain
            0A Status plain
            """),
    CONTACTS2(12, "Contacts2", """
            05 CustomerId
            06 GovernmentId
            07 IMAddress
            08 IMAddress2
            09 IMAddress3
            0A ManagerName
            0B CompanyMainPhone
            0C AccountName
            0D NickName
            0E MMS
            """),
    PING(13, "Ping", """
            05 Ping
            06 AutdState
            07 Status plain
            08 HeartbeatInterval plain
            09 Folders
            0A Folder
            0B Id plain
            0C Class plain
            0D MaxFolders plain
            """),
    PROVISION(14, "Provision", """
            05 Provision
            06 Policies
            07 Policy
            08 PolicyType plain
            09 PolicyKey plain
            0A Data
            0B Status plain
            0C RemoteWipe plain
            0D EASProvisionDoc
            0E DevicePasswordEnabled plain
            0F AlphanumericDevicePasswordRequired plain
            10 RequireStorageCardEncryption plain
            11 PasswordRecoveryEnabled plain
            13 AttachmentsEnabled plain
            14 MinDevicePasswordLength plain
            15 MaxInactivityTimeDeviceLock plain
            16 MaxDevicePasswordFailedAttempts plain
            17 MaxAttachmentSize plain
            18 AllowSimpleDevicePassword plain
            19 DevicePasswordExpiration plain
            1A DevicePasswordHistory plain
            1B AllowStorageCard plain
            1C AllowCamera plain
            1D RequireDeviceEncryption plain
            1E AllowUnsignedApplications plain
            1F AllowUnsignedInstallationPackages plain
            20 MinDevicePasswordComplexCharacters plain
            21 AllowWiFi plain
            22 AllowTextMessaging plain
            23 AllowPOPIMAPEmail plain
            24 AllowBluetooth plain
            25 AllowIrDA plain
            26 RequireManualSyncWhenRoaming plain
            27 AllowDesktopSync plain
            28 MaxCalendarAgeFilter plain
            29 AllowHTMLEmail plain
            2A MaxEmailAgeFilter plain
            2B MaxEmailBodyTruncationSize plain
            2C MaxEmailHTMLBodyTruncationSize plain
            2D RequireSignedSMIMEMessages plain
            2E RequireEncryptedSMIMEMessages plain
            2F RequireSignedSMIMEAlgorithm plain
            30 RequireEncryptionSMIMEAlgorithm plain
            31 AllowSMIMEEncryptionAlgorithmNegotiation plain
            32 AllowSMIMESoftCerts plain
            33 AllowBrowser plain
            34 AllowConsumerEmail plain
            35 AllowRemoteDesktop plain
            36 AllowInternetSharing plain
            37 UnapprovedInROMApplicationList
            38 ApplicationName plain
            39 ApprovedApplicationList
            3A Hash plain
            3B AccountOnlyRemoteWipe plain
            """),
    SEARCH(15, "Search", """
            05 Search
            07 Store
            08 Name plain
            09 Query
            0A Options
            0B Range plain
            0C Status plain
            0D Response
            0E Result
            0F Properties
            10 Total plain
            11 EqualTo
            12 Value
            13 And
            14 Or
            15 FreeText
            17 DeepTraversal plain
            18 LongId plain
            19 RebuildResults plain
            1A LessThan
            1B GreaterThan
            1E UserName
            1F Password
            20 ConversationId plain
            21 Picture
            22 MaxSize plain
            23 MaxPictures plain
            """),
    GAL(16, "GAL", """
            05 DisplayName
            06 Phone
            07 Office
            08 Title
            09 Company
            0A Alias
            0B FirstName
            0C LastName
            0D HomePhone
            0E MobilePhone
            0F EmailAddress
            10 Picture
            11 Status plain
            12 Data
            """),
    AIR_SYNC_BASE(17, "AirSyncBase", """
            05 BodyPreference
            06 Type plain
            07 TruncationSize plain
            08 AllOrNone plain
            0A Body
            0B Data
            0C EstimatedDataSize plain
            0D Truncated plain
            0E Attachments
            0F Attachment
            10 DisplayName
            11 FileReference plain
            12 Method plain
            13 ContentId plain
            14 ContentLocation
            15 IsInline plain
            16 NativeBodyType plain
            17 ContentType plain
            18 Preview
            19 BodyPartPreference
            1A BodyPart
            1B Status plain
            1C Add
            1D Delete
            1E ClientId plain
            1F Content
            20 Location
            21 Annotation
            22 Street
            23 City
            24 State
            25 Country
            26 PostalCode
            27 Latitude
            28 Longitude
            29 Accuracy
            2A Altitude
            2B AltitudeAccuracy
            2C LocationUri
            2D InstanceId plain
            """),
    SETTINGS(18, "Settings", """
            05 Settings
            06 Status plain
            07 Get
            08 Set
            09 Oof
            0A OofState plain
            0B StartTime plain
            0C EndTime plain
            0D OofMessage
            0E AppliesToInternal
            0F AppliesToExternalKnown
            10 AppliesToExternalUnknown
            11 Enabled plain
            12 ReplyMessage
            13 BodyType plain
            14 DevicePassword
            15 Password
            16 DeviceInformation
            17 Model plain
            18 IMEI
            19 FriendlyName
            1A OS plain
            1B OSLanguage plain
            1C PhoneNumber
            1D UserInformation
            1E EmailAddresses
            1F SMTPAddress
            20 UserAgent plain
            21 EnableOutboundSMS plain
            22 MobileOperator plain
            23 PrimarySmtpAddress
            24 Accounts
            25 Account
            26 AccountId plain
            27 AccountName
            28 UserDisplayName
            29 SendDisabled plain
            2B RightsManagementInformation
            """),
    DOCUMENT_LIBRARY(19, "DocumentLibrary", """
            05 LinkId
            06 DisplayName
            07 IsFolder plain
            08 CreationDate plain
            09 LastModifiedDate plain
            0A IsHidden plain
            0B ContentLength plain
            0C ContentType plain
            """),
    ITEM_OPERATIONS(20, "ItemOperations", """
            05 ItemOperations
            06 Fetch
            07 Store plain
            08 Options
            09 Range plain
            0A Total plain
            0B Properties
            0C Data
            0D Status plain
            0E Response
            0F Version plain
            10 Schema
            11 Part plain
            12 EmptyFolderContents
            13 DeleteSubFolders
            14 UserName
            15 Password
            16 Move
            17 DstFldId plain
            18 ConversationId plain
            19 MoveAlways
            """),
    COMPOSE_MAIL(21, "ComposeMail", """
            05 SendMail
            06 SmartForward
            07 SmartReply
            08 SaveInSentItems plain
            09 ReplaceMime plain
            0B Source
            0C FolderId plain
            0D ItemId plain
            0E LongId plain
            0F InstanceId plain
            10 Mime
            11 ClientId plain
            12 Status plain
            13 AccountId plain
            15 Forwardees
            16 Forwardee
            17 ForwardeeName
            18 ForwardeeEmail
            """),
    EMAIL2(22, "Email2", """
            05 UmCallerID
            06 UmUserNotes
            07 UmAttDuration plain
            08 UmAttOrder plain
            09 ConversationId plain
            0A ConversationIndex plain
            0B LastVerbExecuted plain
            0C LastVerbExecutionTime plain
            0D ReceivedAsBcc plain
            0E Sender
            0F CalendarType plain
            10 IsLeapMonth plain
            11 AccountId plain
            12 FirstDayOfWeek plain
            13 MeetingMessageType plain
            15 IsDraft plain
            16 Bcc
            17 Send
            """),
    NOTES(23, "Notes", """
            05 Subject
            06 MessageClass plain
            07 LastModifiedDate plain
            08 Categories
            09 Category
            """),
    RIGHTS_MANAGEMENT(24, "RightsManagement", """
            05 RightsManagementSupport plain
            06 RightsManagementTemplates
            07 RightsManagementTemplate
            08 RightsManagementLicense
            09 EditAllowed plain
            0A ReplyAllowed plain
            0B ReplyAllAllowed plain
            0C ForwardAllowed plain
            0D ModifyRecipientsAllowed plain
            0E ExtractAllowed plain
            0F PrintAllowed plain
            10 ExportAllowed plain
            11 ProgrammaticAccessAllowed plain
            12 Owner plain
            13 ContentExpiryDate plain
            14 TemplateID plain
            15 TemplateName
            16 TemplateDescription
            17 ContentOwner
            18 RemoveRightsManagementProtection plain
            """),
    FIND(25, "Find", """
            05 Find
            06 SearchId plain
            07 ExecuteSearch
            08 MailBoxSearchCriterion
            09 Query
            0A Status plain
            0B FreeText
            0C Options
            0D Range plain
            0E DeepTraversal plain
            11 Response
            12 Result
            13 Properties
            14 Preview
            15 HasAttachments plain
            16 Total plain
            17 DisplayCc
            18 DisplayBcc
            19 GalSearchCriterion
            20 MaxPictures plain
            21 MaxSize plain
            22 Picture
            """);

    /** The highest page number MS-ASWBXML defines. */
    public static final int MAX_PAGE = 25;

    private static final CodePage[] BY_NUMBER = new CodePage[MAX_PAGE + 1];
    private static final Map<String, CodePage> BY_NAMESPACE = new HashMap<>();
    /**
     * {@code Namespace:Name} resolved before, by the whole name: the renderers build every element by such names,
     * and splitting one made two new strings whose hashes were computed for each lookup.
     */
    private static final Map<String, Tag> QUALIFIED = new ConcurrentHashMap<>();

    static {
        for (CodePage page : values()) {
            BY_NUMBER[page.number] = page;
            BY_NAMESPACE.put(page.namespace, page);
            BY_NAMESPACE.put(page.namespaceUri(), page);
        }
    }

    private final int number;
    private final String namespace;
    private final Tag[] byToken = new Tag[64];
    private final Map<String, Tag> byName = new HashMap<>();
    private final List<Tag> tags;

    CodePage(int number, String namespace, String table) {
        this.number = number;
        this.namespace = namespace;
        java.util.ArrayList<Tag> all = new java.util.ArrayList<>();
        for (String line : table.split("\n")) {
            String trimmed = line.strip();
            if (trimmed.isEmpty()) {
                continue;
            }
            String[] parts = trimmed.split(" +");
            int token = Integer.parseInt(parts[0], 16);
            boolean plain = parts.length > 2 && parts[2].equals("plain");
            if (token < 0x05 || token > 0x3F || byToken[token] != null) {
                throw new IllegalStateException("bad token table line '" + trimmed + "' in page " + namespace);
            }
            Tag tag = new Tag(this, token, parts[1], !plain);
            if (byName.put(tag.name(), tag) != null) {
                throw new IllegalStateException("duplicate tag " + tag.name() + " in page " + namespace);
            }
            byToken[token] = tag;
            all.add(tag);
        }
        this.tags = Collections.unmodifiableList(all);
    }

    /** The page number written after SWITCH_PAGE. */
    public int number() {
        return number;
    }

    /** The namespace name, e.g. {@code AirSyncBase}. */
    public String namespace() {
        return namespace;
    }

    /** The XML namespace URI used in XML renderings, e.g. {@code AirSyncBase:}. */
    public String namespaceUri() {
        return namespace + ":";
    }

    /** The conventional XML prefix of this namespace in renderings, e.g. {@code airsyncbase}. */
    public String xmlPrefix() {
        return namespace.toLowerCase(java.util.Locale.ROOT);
    }

    /** The tag with this token, or {@code null} when the page does not define it. */
    public Tag tag(int token) {
        return token >= 0 && token < byToken.length ? byToken[token] : null;
    }

    /** The tag with this name, or {@code null} when the page does not define it. */
    public Tag tag(String name) {
        return byName.get(name);
    }

    /** The tag with this name; throws when the page does not define it. */
    public Tag require(String name) {
        Tag tag = byName.get(name);
        if (tag == null) {
            throw new IllegalArgumentException("no tag '" + name + "' in code page " + namespace);
        }
        return tag;
    }

    /** Every tag of the page in token order. */
    public List<Tag> tags() {
        return tags;
    }

    /** The page with this number, or {@code null}. */
    public static CodePage byNumber(int number) {
        return number >= 0 && number <= MAX_PAGE ? BY_NUMBER[number] : null;
    }

    /** The page of a namespace name ({@code AirSync}) or URI ({@code AirSync:}), or {@code null}. */
    public static CodePage byNamespace(String namespace) {
        return BY_NAMESPACE.get(namespace);
    }

    /**
     * Resolves {@code Name} (in {@code defaultPage}) or {@code Namespace:Name}; throws when unknown.
     */
    public static Tag resolve(String name, CodePage defaultPage) {
        int colon = name.indexOf(':');
        if (colon < 0) {
            return defaultPage.require(name);
        }
        Tag known = QUALIFIED.get(name);
        if (known != null) {
            return known;
        }
        CodePage page = byNamespace(name.substring(0, colon));
        if (page == null) {
            throw new IllegalArgumentException("unknown namespace in '" + name + "'");
        }
        Tag tag = page.require(name.substring(colon + 1));
        // only names that exist are kept: the map holds at most every tag of every page once
        QUALIFIED.put(name, tag);
        return tag;
    }
}
