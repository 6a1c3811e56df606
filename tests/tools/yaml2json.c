/* yaml2json.c - test tool: converts every document of a YAML stream to one line of JSON.
 *
 * Design: libfyaml parses the stream one document at a time, resolves aliases and merge keys,
 * and emits each in its type-preserving JSON mode (plain scalars that look like numbers and
 * booleans stay so), so multi-document manifests (kubectl kustomize output) become NDJSON that
 * `meshgate validate` reads. Empty documents are skipped. Errors name the file and line.
 */
#include <libfyaml.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc != 2 || (argv[1][0] == '-' && argv[1][1])) {
        fputs("usage: yaml2json FILE|-   (one JSON line per YAML document on stdout)\n", stderr);
        return 2;
    }
    struct fy_parse_cfg cfg = {.flags = FYPCF_DEFAULT_PARSE};
    struct fy_parser *fyp = fy_parser_create(&cfg);
    if (!fyp) return 1;
    int rc = strcmp(argv[1], "-") == 0 ? fy_parser_set_input_fp(fyp, "stdin", stdin)
                                       : fy_parser_set_input_file(fyp, argv[1]);
    if (rc != 0) {
        fprintf(stderr, "yaml2json: cannot read %s\n", argv[1]);
        fy_parser_destroy(fyp);
        return 1;
    }
    int status = 0;
    struct fy_document *fyd;
    while ((fyd = fy_parse_load_document(fyp)) != NULL) {
        if (fy_document_root(fyd) && fy_document_resolve(fyd) != 0) {
            fprintf(stderr, "yaml2json: %s: cannot resolve aliases or merge keys\n", argv[1]);
            status = 1;
        } else if (fy_document_root(fyd)) {
            char *s = fy_emit_document_to_string(
                fyd, (enum fy_emitter_cfg_flags)(FYECF_MODE_JSON_TP | FYECF_NO_ENDING_NEWLINE));
            if (!s) status = 1;
            else {
                char *nl;
                while ((nl = strchr(s, '\n')) != NULL) *nl = ' ';
                puts(s);
                free(s);
            }
        }
        fy_parse_document_destroy(fyp, fyd);
    }
    if (fy_parser_get_stream_error(fyp)) status = 1;
    fy_parser_destroy(fyp);
    return status;
}
