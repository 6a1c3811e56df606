/* cg_compat.h - schema evolution checks with the rules Confluent's Schema Registry applies to
 * JSON Schema (meshgate-codegen --compat MODE OLD... NEW).
 *
 * Design: cg_compat_compare() is Confluent's SchemaDiff.compare(original, update): it walks two
 * schemas side by side and lists every difference, each typed with the name Confluent gives it
 * (io.confluent.kafka.schemaregistry.json.diff.Difference.Type) and located by a schema
 * location in each schema (cg_location: "#/properties/x", or the referenced document's URI
 * first). A difference type is compatible or not as in Confluent's COMPATIBLE_CHANGES; the
 * update can read what the original wrote when every difference is compatible. The modes build
 * on it as the registry does: BACKWARD compares (old, new), FORWARD (new, old), FULL both, and
 * the _TRANSITIVE forms against every older version instead of the latest one only.
 * cg_compat.c holds the schema model and the general, scalar, enum and combined rules,
 * cg_compat_obj.c the object and array rules, cg_compat_cli.c the command. Single-threaded.
 */
#ifndef CG_COMPAT_H
#define CG_COMPAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "cg.h"

/* X(name, compatible) in Confluent's order. */
#define CG_CHANGES(X)                                                                              \
    X(ID_CHANGED, 1)                                                                               \
    X(DESCRIPTION_CHANGED, 1)                                                                      \
    X(TITLE_CHANGED, 1)                                                                            \
    X(DEFAULT_CHANGED, 1)                                                                          \
    X(SCHEMA_ADDED, 0)                                                                             \
    X(SCHEMA_REMOVED, 1)                                                                           \
    X(TYPE_EXTENDED, 1)                                                                            \
    X(TYPE_NARROWED, 0)                                                                            \
    X(TYPE_CHANGED, 0)                                                                             \
    X(MAX_LENGTH_ADDED, 0)                                                                         \
    X(MAX_LENGTH_REMOVED, 1)                                                                       \
    X(MAX_LENGTH_INCREASED, 1)                                                                     \
    X(MAX_LENGTH_DECREASED, 0)                                                                     \
    X(MIN_LENGTH_ADDED, 0)                                                                         \
    X(MIN_LENGTH_REMOVED, 1)                                                                       \
    X(MIN_LENGTH_INCREASED, 0)                                                                     \
    X(MIN_LENGTH_DECREASED, 1)                                                                     \
    X(PATTERN_ADDED, 0)                                                                            \
    X(PATTERN_REMOVED, 1)                                                                          \
    X(PATTERN_CHANGED, 0)                                                                          \
    X(MAXIMUM_ADDED, 0)                                                                            \
    X(MAXIMUM_REMOVED, 1)                                                                          \
    X(MAXIMUM_INCREASED, 1)                                                                        \
    X(MAXIMUM_DECREASED, 0)                                                                        \
    X(MINIMUM_ADDED, 0)                                                                            \
    X(MINIMUM_REMOVED, 1)                                                                          \
    X(MINIMUM_INCREASED, 0)                                                                        \
    X(MINIMUM_DECREASED, 1)                                                                        \
    X(EXCLUSIVE_MAXIMUM_ADDED, 0)                                                                  \
    X(EXCLUSIVE_MAXIMUM_REMOVED, 1)                                                                \
    X(EXCLUSIVE_MAXIMUM_INCREASED, 1)                                                              \
    X(EXCLUSIVE_MAXIMUM_DECREASED, 0)                                                              \
    X(EXCLUSIVE_MINIMUM_ADDED, 0)                                                                  \
    X(EXCLUSIVE_MINIMUM_REMOVED, 1)                                                                \
    X(EXCLUSIVE_MINIMUM_INCREASED, 0)                                                              \
    X(EXCLUSIVE_MINIMUM_DECREASED, 1)                                                              \
    X(MULTIPLE_OF_ADDED, 0)                                                                        \
    X(MULTIPLE_OF_REMOVED, 1)                                                                      \
    X(MULTIPLE_OF_EXPANDED, 0)                                                                     \
    X(MULTIPLE_OF_REDUCED, 1)                                                                      \
    X(MULTIPLE_OF_CHANGED, 0)                                                                      \
    X(REQUIRED_ATTRIBUTE_ADDED, 0)                                                                 \
    X(REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED, 1)                                                    \
    X(REQUIRED_ATTRIBUTE_REMOVED, 1)                                                               \
    X(MAX_PROPERTIES_ADDED, 0)                                                                     \
    X(MAX_PROPERTIES_REMOVED, 1)                                                                   \
    X(MAX_PROPERTIES_INCREASED, 1)                                                                 \
    X(MAX_PROPERTIES_DECREASED, 0)                                                                 \
    X(MIN_PROPERTIES_ADDED, 0)                                                                     \
    X(MIN_PROPERTIES_REMOVED, 1)                                                                   \
    X(MIN_PROPERTIES_INCREASED, 0)                                                                 \
    X(MIN_PROPERTIES_DECREASED, 1)                                                                 \
    X(ADDITIONAL_PROPERTIES_ADDED, 1)                                                              \
    X(ADDITIONAL_PROPERTIES_REMOVED, 0)                                                            \
    X(ADDITIONAL_PROPERTIES_EXTENDED, 1)                                                           \
    X(ADDITIONAL_PROPERTIES_NARROWED, 0)                                                           \
    X(DEPENDENCY_ARRAY_ADDED, 0)                                                                   \
    X(DEPENDENCY_ARRAY_REMOVED, 1)                                                                 \
    X(DEPENDENCY_ARRAY_EXTENDED, 0)                                                                \
    X(DEPENDENCY_ARRAY_NARROWED, 1)                                                                \
    X(DEPENDENCY_ARRAY_CHANGED, 0)                                                                 \
    X(DEPENDENCY_SCHEMA_ADDED, 0)                                                                  \
    X(DEPENDENCY_SCHEMA_REMOVED, 1)                                                                \
    X(REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL, 0)                                            \
    X(REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL, 0)                               \
    X(OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL, 0)                                            \
    X(PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL, 1)                                   \
    X(REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL, 0)                                          \
    X(REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL, 1)                             \
    X(OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL, 1)                                          \
    X(PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL, 1)                                                 \
    X(PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL, 1)                                    \
    X(PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL, 0)                                               \
    X(PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL, 1)                              \
    X(PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL, 0)                             \
    X(PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL, 1)                                \
    X(PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL, 0)                               \
    X(UNEVALUATED_PROPERTIES_ADDED, 1)                                                             \
    X(UNEVALUATED_PROPERTIES_REMOVED, 0)                                                           \
    X(UNEVALUATED_PROPERTIES_EXTENDED, 1)                                                          \
    X(UNEVALUATED_PROPERTIES_NARROWED, 0)                                                          \
    X(MAX_ITEMS_ADDED, 0)                                                                          \
    X(MAX_ITEMS_REMOVED, 1)                                                                        \
    X(MAX_ITEMS_INCREASED, 1)                                                                      \
    X(MAX_ITEMS_DECREASED, 0)                                                                      \
    X(MIN_ITEMS_ADDED, 0)                                                                          \
    X(MIN_ITEMS_REMOVED, 1)                                                                        \
    X(MIN_ITEMS_INCREASED, 0)                                                                      \
    X(MIN_ITEMS_DECREASED, 1)                                                                      \
    X(MAX_CONTAINS_ADDED, 0)                                                                       \
    X(MAX_CONTAINS_REMOVED, 1)                                                                     \
    X(MAX_CONTAINS_INCREASED, 1)                                                                   \
    X(MAX_CONTAINS_DECREASED, 0)                                                                   \
    X(MIN_CONTAINS_ADDED, 0)                                                                       \
    X(MIN_CONTAINS_REMOVED, 1)                                                                     \
    X(MIN_CONTAINS_INCREASED, 0)                                                                   \
    X(MIN_CONTAINS_DECREASED, 1)                                                                   \
    X(UNIQUE_ITEMS_ADDED, 0)                                                                       \
    X(UNIQUE_ITEMS_REMOVED, 1)                                                                     \
    X(ADDITIONAL_ITEMS_ADDED, 1)                                                                   \
    X(ADDITIONAL_ITEMS_REMOVED, 0)                                                                 \
    X(ADDITIONAL_ITEMS_EXTENDED, 1)                                                                \
    X(ADDITIONAL_ITEMS_NARROWED, 0)                                                                \
    X(UNEVALUATED_ITEMS_ADDED, 1)                                                                  \
    X(UNEVALUATED_ITEMS_REMOVED, 0)                                                                \
    X(UNEVALUATED_ITEMS_EXTENDED, 1)                                                               \
    X(UNEVALUATED_ITEMS_NARROWED, 0)                                                               \
    X(ITEM_ADDED_TO_OPEN_CONTENT_MODEL, 0)                                                         \
    X(ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL, 1)                                       \
    X(ITEM_ADDED_TO_CLOSED_CONTENT_MODEL, 1)                                                       \
    X(ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL, 1)                                                     \
    X(ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL, 1)                                        \
    X(ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL, 0)                                                   \
    X(ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL, 1)                                  \
    X(ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL, 0)                                 \
    X(ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL, 1)                                    \
    X(ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL, 0)                                   \
    X(ENUM_ARRAY_EXTENDED, 1)                                                                      \
    X(ENUM_ARRAY_NARROWED, 0)                                                                      \
    X(ENUM_ARRAY_CHANGED, 0)                                                                       \
    X(COMBINED_TYPE_EXTENDED, 1)                                                                   \
    X(COMBINED_TYPE_CHANGED, 0)                                                                    \
    X(PRODUCT_TYPE_EXTENDED, 0)                                                                    \
    X(PRODUCT_TYPE_NARROWED, 1)                                                                    \
    X(SUM_TYPE_EXTENDED, 1)                                                                        \
    X(SUM_TYPE_NARROWED, 0)                                                                        \
    X(COMBINED_TYPE_SUBSCHEMAS_CHANGED, 0)                                                         \
    X(NOT_TYPE_EXTENDED, 0)                                                                        \
    X(NOT_TYPE_NARROWED, 1)

typedef enum cg_change {
#define CG_CHANGE_ENUM(name, compatible) CG_##name,
    CG_CHANGES(CG_CHANGE_ENUM)
#undef CG_CHANGE_ENUM
        CG_CHANGE_COUNT
} cg_change;

/* Confluent's name of a change ("PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL"). */
const char *cg_change_name(cg_change c);
/* Whether Confluent counts it compatible. */
bool cg_change_compatible(cg_change c);

typedef struct cg_difference {
    cg_change type;
    char *orig_at, *upd_at; /* where, in the original and in the update (cg_location) */
} cg_difference;

typedef struct cg_differences {
    cg_difference *v;
    size_t n, cap;
} cg_differences;
void cg_differences_free(cg_differences *d);

/* Confluent's SchemaDiff.compare(original, update): appends every difference to out, each
 * location once. Each schema is a node of a document loaded into its cg (the same cg for
 * both is fine), references are resolved there. false when a reference cannot be resolved
 * (the error is counted in that cg) or the comparison needs more than a bounded amount of
 * work. */
bool cg_compat_compare(cg *og, const cj_node *orig, cg *ug, const cj_node *upd,
                       cg_differences *out);

typedef enum cg_compat_mode {
    CG_COMPAT_NONE,
    CG_COMPAT_BACKWARD,
    CG_COMPAT_BACKWARD_TRANSITIVE,
    CG_COMPAT_FORWARD,
    CG_COMPAT_FORWARD_TRANSITIVE,
    CG_COMPAT_FULL,
    CG_COMPAT_FULL_TRANSITIVE
} cg_compat_mode;

bool cg_compat_mode_parse(const char *s, cg_compat_mode *m);
const char *cg_compat_mode_name(cg_compat_mode m);

/* One schema of a check: a node of a document in g, named in reports by label. */
typedef struct cg_compat_schema {
    cg *g;
    const cj_node *node;
    const char *label;
} cg_compat_schema;

/* Checks `latest` against old[0..nold) (oldest first) in mode: the latest old one only, or
 * every one for the _TRANSITIVE forms. Writes one line per difference found into out (all of
 * them with `all`, else the incompatible ones) as
 *   "  DIRECTION CHANGE at old LOCATION, new LOCATION"
 * (DIRECTION: BACKWARD, Confluent's compare(old, new), or FORWARD, compare(new, old)), after a
 * line naming each pair checked. Returns 0 compatible, 1 incompatible, 2 when a schema could
 * not be compared (the error is counted in its cg). */
int cg_compat_check(cg_compat_mode mode, const cg_compat_schema *old, size_t nold,
                    const cg_compat_schema *latest, bool all, FILE *out);

/* cg_compat_cli.c: meshgate-codegen --compat MODE ...; argv[0] is MODE. Returns the exit
 * status: 0 compatible, 1 incompatible, 2 usage or a schema that cannot be read. */
int cg_compat_main(const cg_options *opt, int argc, char **argv);

#endif
