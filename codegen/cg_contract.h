/* cg_contract.h - AsyncAPI contracts in codegen: the model read from a contract and the
 * artifacts written from it.
 *
 * Design: cg_asyncapi.c reads an AsyncAPI 2.x (2.0-2.6) or 3.0 document (JSON or YAML) into a
 * small model - the domain from the spec id, each channel's SpecMesh topic and scope, the
 * messages the domain produces and their payload schemas - checking everything the artifacts
 * depend on and reporting each problem with the file and JSON Pointer. Payload schemas stay
 * nodes of the contract's document, registered with the schema registry as entries, so local
 * and external $refs resolve as in any schema. cg_contract_out.c renders the artifacts from the
 * model: the worker's routes, Strimzi KafkaTopic and KafkaUser manifests, the catalog index,
 * per-message JSON Schema bundles and OpenAPI 3.1 documents. Reading of AsyncAPI 2.x follows
 * SpecMesh: `publish` means "this domain produces to the channel" (the opposite of the 2.x
 * spec's application view); in 3.0 an operation with action `send` says the same.
 * Everything is owned by the cg it was loaded into and freed by cg_free().
 */
#ifndef CG_CONTRACT_H
#define CG_CONTRACT_H

#include "cg.h"

typedef enum cg_scope {
    CG_SCOPE_PUBLIC,
    CG_SCOPE_PROTECTED,
    CG_SCOPE_PRIVATE,
    CG_SCOPE_FOREIGN
} cg_scope;

typedef struct cg_cmsg {
    char *name;             /* the message's name */
    char *schema;           /* the entry's schema name: <topic>.<name> */
    char *id;               /* the schema's id (its $id, else the spec id + # + JSON Pointer) */
    char *version;          /* x-version of the message, else info.version */
    char *summary;          /* summary or title, may be NULL */
    const cj_node *payload; /* the schema node */
    const cj_node *msg;     /* the message object */
    cg_dialect dialect;
    char **tags;
    size_t ntags;
    char **disc_values; /* the discriminator's values that select it (cg_cchan.disc) */
    size_t ndisc;
    char *type; /* its CloudEvents type, on a channel with a discriminator */
} cg_cmsg;

/* What tells a channel's messages apart (cg_discriminator.c). */
typedef enum cg_disc { CG_DISC_NONE = 0, CG_DISC_PROPERTY, CG_DISC_HEADER } cg_disc;

typedef struct cg_cchan {
    char *name; /* the channel key (2.x) or address (3.0) */
    const cj_node *node;
    char *topic; /* SpecMesh topic name */
    cg_scope scope;
    bool produced; /* the domain produces to it: meshgate gates it */
    bool consumed; /* the domain reads it */
    char *raw_topic, *dead_letter;
    char *route_schema; /* the schema of the route: the message's, or a union of several */
    char *type;         /* CloudEvents type of the route */
    char *version;      /* schema_version of the route */
    cg_cmsg *msgs;
    size_t nmsgs;
    char **grants; /* domains of grant-access: tags */
    size_t ngrants;
    char **tags;
    size_t ntags;
    long partitions, replicas; /* 0 = not given */
    cg_disc disc;              /* the messages' discriminator, when there are several */
    char *disc_name;           /* its property or header name */
    const cj_node *config;     /* bindings.kafka configs / topicConfiguration, or NULL */
} cg_cchan;

typedef struct cg_contract {
    char *path;
    char *asyncapi; /* the version string */
    int major;      /* 2 or 3 */
    char *id;       /* urn:... */
    char *domain;   /* the id as a topic prefix: london.hammersmith.olympia.bigdatalondon */
    char *title, *version, *description, *owner;
    const cj_node *root;
    cg_cchan *chans;
    size_t nchans;
} cg_contract;

/* cg_asyncapi.c */
/* true if root is an AsyncAPI document (an object with an "asyncapi" member). */
bool cg_is_asyncapi(const cj_node *root);
/* Reads the contract in root (parsed from path; the cg takes ownership of root), registers its
 * payload schemas as entries and appends it to g->contracts. Errors are counted in g. */
bool cg_add_contract(cg *g, cj_node *root, const char *path);

/* cg_contract_out.c */
typedef struct cg_contract_opts {
    const char *dir;         /* where the artifacts go */
    const char *schema_set;  /* the path of the built schema set, written into the routes */
    const char *group;       /* the worker's consumer group */
    const char *cluster;     /* the strimzi.io/cluster label */
    const char *catalog_dir; /* the catalog path the worker reads, written into the routes */
} cg_contract_opts;

/* Writes routes.yaml (a worker configuration), kafkatopics.yaml, kafkausers.yaml,
 * catalog.json, openapi.json (every contract), <domain>.openapi.json and schemas/<name>.json
 * into o->dir. Returns false (with a message on stderr) when a file cannot be written. */
bool cg_contract_write(cg *g, const cg_contract_opts *o);

/* Finds the discriminator of channel ch of contract c (ch->disc, ch->disc_name and each
 * message's disc_values), when it carries several messages and one exists. */
void cg_find_discriminator(const cg_contract *c, cg_cchan *ch);

#endif
