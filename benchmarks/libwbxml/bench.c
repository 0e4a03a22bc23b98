/*
 * Times libwbxml (Debian's libwbxml2) on the documents of the Java codec benchmark, for comparison.
 *
 *   bench <file.wbxml> [seconds per measurement]
 *
 * Measures, on the WBXML file written by dev.easgate.bench.codec.DumpDocuments:
 *   tree-decode  wbxml_tree_from_wbxml + wbxml_tree_destroy   (WBXML -> in-memory tree, like WbxmlDecoder)
 *   tree-encode  wbxml_tree_to_wbxml + free                     (in-memory tree -> WBXML, like WbxmlEncoder)
 *   conv-decode  wbxml_conv_wbxml2xml_run                       (WBXML -> XML text)
 *   conv-encode  wbxml_conv_xml2wbxml_run                       (XML text -> WBXML)
 * MB/s is WBXML bytes per second (10^6 bytes), as in the Java report. Single-threaded; pin it with taskset.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <wbxml/wbxml.h>

/* Exported by libwbxml2 but not in the Debian -dev headers (wbxml_tree.h is not installed). */
typedef struct WBXMLTree_s WBXMLTree;
WBXMLError wbxml_tree_from_wbxml(WB_UTINY *wbxml, WB_ULONG wbxml_len, WBXMLLanguage lang,
                                 WBXMLCharsetMIBEnum charset, WBXMLTree **tree);
WBXMLError wbxml_tree_to_wbxml(WBXMLTree *tree, WB_UTINY **wbxml, WB_ULONG *wbxml_len,
                               WBXMLGenWBXMLParams *params);
void wbxml_tree_destroy(WBXMLTree *tree);

static unsigned char *input;
static long input_len;
static WBXMLTree *tree;
static unsigned char *xml;
static WB_ULONG xml_len;
static volatile unsigned long sink;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void check(WBXMLError error, const char *what) {
    if (error != WBXML_OK) {
        fprintf(stderr, "%s: %s\n", what, (const char *) wbxml_errors_string(error));
        exit(1);
    }
}

static void tree_decode(void) {
    WBXMLTree *t = NULL;
    check(wbxml_tree_from_wbxml(input, input_len, WBXML_LANG_ACTIVESYNC, WBXML_CHARSET_UTF_8, &t),
          "wbxml_tree_from_wbxml");
    sink += (unsigned long) t;
    wbxml_tree_destroy(t);
}

/* WBXML 1.3, keep whitespace, no string table, anonymous (public id 1, as EAS writes it) */
static WBXMLGenWBXMLParams encode_params = {WBXML_VERSION_13, TRUE, FALSE, TRUE};

static void tree_encode(void) {
    WB_UTINY *out = NULL;
    WB_ULONG out_len = 0;
    check(wbxml_tree_to_wbxml(tree, &out, &out_len, &encode_params), "wbxml_tree_to_wbxml");
    sink += out_len;
    free(out);
}

static void conv_decode(void) {
    WBXMLConvWBXML2XML *conv = NULL;
    WB_UTINY *out = NULL;
    WB_ULONG out_len = 0;
    check(wbxml_conv_wbxml2xml_create(&conv), "wbxml_conv_wbxml2xml_create");
    wbxml_conv_wbxml2xml_set_language(conv, WBXML_LANG_ACTIVESYNC);
    wbxml_conv_wbxml2xml_set_charset(conv, WBXML_CHARSET_UTF_8);
    wbxml_conv_wbxml2xml_set_gen_type(conv, WBXML_GEN_XML_COMPACT);
    wbxml_conv_wbxml2xml_enable_preserve_whitespaces(conv);
    check(wbxml_conv_wbxml2xml_run(conv, input, input_len, &out, &out_len), "wbxml_conv_wbxml2xml_run");
    wbxml_conv_wbxml2xml_destroy(conv);
    if (xml == NULL) {
        xml = out;
        xml_len = out_len;
    } else {
        sink += out_len;
        free(out);
    }
}

static void conv_encode(void) {
    WBXMLConvXML2WBXML *conv = NULL;
    WB_UTINY *out = NULL;
    WB_ULONG out_len = 0;
    check(wbxml_conv_xml2wbxml_create(&conv), "wbxml_conv_xml2wbxml_create");
    wbxml_conv_xml2wbxml_set_version(conv, WBXML_VERSION_13);
    wbxml_conv_xml2wbxml_enable_preserve_whitespaces(conv);
    wbxml_conv_xml2wbxml_disable_string_table(conv);
    wbxml_conv_xml2wbxml_disable_public_id(conv);
    check(wbxml_conv_xml2wbxml_run(conv, xml, xml_len, &out, &out_len), "wbxml_conv_xml2wbxml_run");
    wbxml_conv_xml2wbxml_destroy(conv);
    sink += out_len;
    free(out);
}

/* Runs op for about `seconds` after a warm-up, five times; prints the best and the mean. */
static void measure(const char *name, void (*op)(void), double seconds) {
    long ops = 1;
    double start = now();
    while (now() - start < 0.3) { /* warm-up and calibration */
        op();
        ops++;
    }
    long batch = (long) (ops / 0.3 * seconds / 5) + 1;
    double best = 0, total = 0;
    for (int round = 0; round < 5; round++) {
        double t0 = now();
        for (long i = 0; i < batch; i++) {
            op();
        }
        double rate = batch / (now() - t0);
        total += rate;
        if (rate > best) {
            best = rate;
        }
    }
    double mean = total / 5;
    printf("%-12s %12.0f ops/s  %8.1f MB/s (best %.1f)\n", name, mean, mean * input_len / 1e6, best * input_len / 1e6);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s file.wbxml [seconds]\n", argv[0]);
        return 2;
    }
    double seconds = argc > 2 ? atof(argv[2]) : 5;
    FILE *f = fopen(argv[1], "rb");
    if (f == NULL) {
        perror(argv[1]);
        return 1;
    }
    fseek(f, 0, SEEK_END);
    input_len = ftell(f);
    fseek(f, 0, SEEK_SET);
    input = malloc(input_len);
    if (fread(input, 1, input_len, f) != (size_t) input_len) {
        perror(argv[1]);
        return 1;
    }
    fclose(f);

    check(wbxml_tree_from_wbxml(input, input_len, WBXML_LANG_ACTIVESYNC, WBXML_CHARSET_UTF_8, &tree),
          "wbxml_tree_from_wbxml");
    conv_decode(); /* keeps the XML for conv-encode */
    WB_UTINY *again = NULL;
    WB_ULONG again_len = 0;
    check(wbxml_tree_to_wbxml(tree, &again, &again_len, &encode_params), "wbxml_tree_to_wbxml");
    printf("%s: %ld bytes of WBXML, %lu bytes as XML; libwbxml re-encodes it as %lu bytes (%s)\n", argv[1],
           input_len, (unsigned long) xml_len, (unsigned long) again_len,
           again_len == (WB_ULONG) input_len && memcmp(again, input, input_len) == 0 ? "identical" : "different");
    free(again);

    measure("tree-decode", tree_decode, seconds);
    measure("tree-encode", tree_encode, seconds);
    measure("conv-decode", conv_decode, seconds);
    measure("conv-encode", conv_encode, seconds);
    wbxml_tree_destroy(tree);
    free(xml);
    free(input);
    return 0;
}
