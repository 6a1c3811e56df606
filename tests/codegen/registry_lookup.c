/* registry_lookup.c - asks a schema set compiled from a registry export the questions a worker
 * asks (meshgate.h, "Schema Registry identity") and prints each answer on one line.
 *
 * Usage: registry_lookup QUERY...; tests/codegen/test_registry.sh builds it with one set's
 * generated C (-DMG_GEN_HEADER="<base>.h" -DMG_GEN_SET=mg_set_<prefix>). Queries:
 *   id N              mg_schema_find_registry_id
 *   subject-id S N    mg_schema_find_subject_id
 *   version S N       mg_schema_find_version (N "latest": MG_VERSION_LATEST)
 *   guid HEX32        mg_schema_find_guid
 *   find NAME         mg_schema_find
 * Each answer is "QUERY -> NAME (subject S, version V, id I)" or "QUERY -> none". Exit 2 on a
 * malformed query.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meshgate.h"
#include MG_GEN_HEADER

static void answer(const char *q, const mg_schema *s)
{
    if (!s)
        printf("%s -> none\n", q);
    else if (s->subject)
        printf("%s -> %s (subject %s, version %d, id %lld)\n", q, s->name, s->subject,
               (int)s->version, (long long)s->registry_id);
    else
        printf("%s -> %s\n", q, s->name);
}

int main(int argc, char **argv)
{
    const mg_schema_set *set = &MG_GEN_SET;
    for (int i = 1; i < argc; i++) {
        char q[512];
        const char *op = argv[i];
        if (strcmp(op, "id") == 0 && i + 1 < argc) {
            snprintf(q, sizeof q, "id %s", argv[i + 1]);
            answer(q, mg_schema_find_registry_id(set, strtoll(argv[i + 1], NULL, 10)));
            i += 1;
        } else if (strcmp(op, "subject-id") == 0 && i + 2 < argc) {
            snprintf(q, sizeof q, "subject-id %s %s", argv[i + 1], argv[i + 2]);
            answer(q, mg_schema_find_subject_id(set, argv[i + 1], strtoll(argv[i + 2], NULL, 10)));
            i += 2;
        } else if (strcmp(op, "version") == 0 && i + 2 < argc) {
            snprintf(q, sizeof q, "version %s %s", argv[i + 1], argv[i + 2]);
            int v = strcmp(argv[i + 2], "latest") == 0 ? MG_VERSION_LATEST : atoi(argv[i + 2]);
            answer(q, mg_schema_find_version(set, argv[i + 1], v));
            i += 2;
        } else if (strcmp(op, "guid") == 0 && i + 1 < argc && strlen(argv[i + 1]) == 32) {
            uint8_t g[16];
            for (int k = 0; k < 16; k++) {
                char hex[3] = {argv[i + 1][2 * k], argv[i + 1][2 * k + 1], 0};
                g[k] = (uint8_t)strtoul(hex, NULL, 16);
            }
            snprintf(q, sizeof q, "guid %s", argv[i + 1]);
            answer(q, mg_schema_find_guid(set, g));
            i += 1;
        } else if (strcmp(op, "find") == 0 && i + 1 < argc) {
            snprintf(q, sizeof q, "find %s", argv[i + 1]);
            answer(q, mg_schema_find(set, argv[i + 1]));
            i += 1;
        } else {
            fprintf(stderr, "registry_lookup: bad query at %s\n", op);
            return 2;
        }
    }
    return 0;
}
