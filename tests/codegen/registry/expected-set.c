static const uint8_t mgg_0[16] = {0x8f, 0x1c, 0x55, 0x02, 0x9e, 0x47, 0x4a, 0x10, 0xb3, 0x2d, 0x6e, 0x0a, 0x61, 0x7b, 0x90, 0x44};

static const mg_schema mgs_reg[] = {
    {"com.acme/payments-value/versions/1", "https://sr.acme.example:8081/schemas/ids/7", "tests/codegen/registry/export/subjects/com.acme%2Fpayments-value/versions/1.json", mge_0, "com.acme/payments-value", 1, 7, mgg_0},
    {"customer/versions/1", "https://sr.acme.example:8081/schemas/ids/1", "tests/codegen/registry/export/subjects/customer/versions/1.json", mge_1, "customer", 1, 1, NULL},
    {"customer/versions/2", "https://sr.acme.example:8081/schemas/ids/3", "tests/codegen/registry/export/subjects/customer/versions/2.json", mge_2, "customer", 2, 3, NULL},
    {"customer-value/versions/1", "https://sr.acme.example:8081/schemas/ids/3", "tests/codegen/registry/export/subjects/customer-value/versions/1.json", mge_3, "customer-value", 1, 3, NULL},
    {"orders-value/versions/1", "https://sr.acme.example:8081/schemas/ids/2", "tests/codegen/registry/export/subjects/orders-value/versions/1.json", mge_4, "orders-value", 1, 2, NULL},
    {"orders-value/versions/2", "https://sr.acme.example:8081/schemas/ids/4", "tests/codegen/registry/export/subjects/orders-value/versions/2.json", mge_5, "orders-value", 2, 4, NULL},
    {"orders-value/versions/3", "https://sr.acme.example:8081/schemas/ids/6", "tests/codegen/registry/export/subjects/orders-value/versions/3.json", mge_6, "orders-value", 3, 6, NULL},
};

static const uint32_t mgs_reg_by_id[] = {1, 4, 2, 3, 5, 6, 0};
static const uint32_t mgs_reg_by_subject[] = {0, 1, 2, 3, 4, 5, 6};
static const uint32_t mgs_reg_by_guid[] = {0};

const mg_schema_set mg_set_reg = {MG_RT_ABI, 7, mgs_reg, "meshgate-codegen 0.1.0",
    7, mgs_reg_by_id, mgs_reg_by_subject, 1, mgs_reg_by_guid};

#ifdef MG_SHARED_OBJECT
__attribute__((visibility("default"))) const mg_schema_set *meshgate_schema_set(void)
{
    return &mg_set_reg;
}
#endif
