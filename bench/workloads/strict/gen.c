/* gen.c - deterministic generator of payment events (NDJSON, about 1 KB each) for the strict
 * benchmark workload (bench/workloads/strict: unevaluatedProperties over allOf/$ref, oneOf
 * of three payment methods, patternProperties for labels and x- extensions).
 *
 * Design: a fixed-seed xorshift generator builds each event; for the chosen fraction of lines
 * it applies exactly one defect from a fixed list: a property no subschema evaluates, a method
 * that matches no oneOf branch (a bad last4, IBAN or wallet provider), a method with a property its
 * branch does not know, a label whose name breaks the pattern, an x- field that is an object, a
 * customer with an unknown member. The same arguments always give the same bytes; the invalid
 * count is printed on stderr.
 * Usage: gen-strict --seed S --count N --invalid-fraction F > out.ndjson
 */
#include <stdbool.h>

#include "../gen.h"

enum { OK, UNEVALUATED, NO_BRANCH, BRANCH_EXTRA, BAD_LABEL, BAD_XFIELD, CUSTOMER_EXTRA, NDEFECTS };

int main(int argc, char **argv)
{
    gen_args a = {1, 1000, 0.1};
    if (!gen_parse(argc, argv, "gen-strict", &a)) return 2;
    uint64_t count = a.count;
    double bad = a.invalid_fraction;
    static const char *const brands[] = {"visa", "mastercard", "amex"};
    static const char *const providers[] = {"applepay", "googlepay", "paypal"};
    static const char *const currencies[] = {"EUR", "GBP", "USD", "CHF", "SEK"};
    static const char *const segments[] = {"consumer", "business", "staff"};
    static const char *const words[] = {"order",  "settlement", "refund", "subscription",
                                        "annual", "renewal",    "store",  "online"};
    uint64_t s = gen_state(a.seed), invalid = 0;
    for (uint64_t n = 0; n < count; n++) {
        int defect =
            (double)(next(&s) % 1000000) / 1e6 < bad ? (int)(next(&s) % (NDEFECTS - 1)) + 1 : OK;
        invalid += defect != OK;
        uint64_t u1 = next(&s), u2 = next(&s);
        unsigned cust = 1 + (unsigned)(next(&s) % 900000);
        printf(
            "{\"id\": \"%08x-%04x-4%03x-%04x-%012llx\", "
            "\"occurredAt\": \"2026-%02u-%02uT%02u:%02u:%02u.%03uZ\", "
            "\"source\": \"urn:acme:payments:gateway-%u\", "
            "\"customer\": {\"id\": %u, \"email\": \"c%u@example.com\", \"segment\": \"%s\"%s}, ",
            (unsigned)u1, (unsigned)(u1 >> 32) & 0xffff, (unsigned)(u1 >> 48) & 0xfff,
            0x8000 | ((unsigned)u2 & 0x3fff), (unsigned long long)(u2 >> 16) & 0xffffffffffffull,
            1 + (unsigned)(n % 12), 1 + (unsigned)(next(&s) % 28), (unsigned)(next(&s) % 24),
            (unsigned)(next(&s) % 60), (unsigned)(next(&s) % 60), (unsigned)(next(&s) % 1000),
            (unsigned)(next(&s) % 8), cust, cust, segments[next(&s) % 3],
            defect == CUSTOMER_EXTRA ? ", \"vip\": true" : "");
        switch (next(&s) % 3) {
        case 0:
            printf("\"method\": {\"type\": \"card\", \"brand\": \"%s\", \"last4\": \"%04u%s\", "
                   "\"expiry\": \"%02u/%02u\", \"threeDSecure\": true%s}, ",
                   brands[next(&s) % 3], (unsigned)(next(&s) % 10000),
                   defect == NO_BRANCH ? "x" : "", 1 + (unsigned)(next(&s) % 12),
                   27 + (unsigned)(next(&s) % 5),
                   defect == BRANCH_EXTRA ? ", \"pin\": \"0000\"" : "");
            break;
        case 1:
            printf("\"method\": {\"type\": \"iban\", \"iban\": \"GB%02uWEST%014llu%s\", "
                   "\"bic\": \"WESTGB2L\", \"holder\": \"Ada Lovelace\"%s}, ",
                   (unsigned)(next(&s) % 100), (unsigned long long)(next(&s) % 100000000000000ull),
                   defect == NO_BRANCH ? "-" : "",
                   defect == BRANCH_EXTRA ? ", \"pin\": \"0000\"" : "");
            break;
        default:
            printf("\"method\": {\"type\": \"wallet\", \"provider\": \"%s\", "
                   "\"token\": \"tok_%016llx\"%s}, ",
                   defect == NO_BRANCH ? "venmo" : providers[next(&s) % 3],
                   (unsigned long long)next(&s),
                   defect == BRANCH_EXTRA ? ", \"pin\": \"0000\"" : "");
        }
        printf("\"amount\": {\"value\": %u.%02u, \"currency\": \"%s\"}, ",
               1 + (unsigned)(next(&s) % 5000), (unsigned)(next(&s) % 100),
               currencies[next(&s) % 5]);
        printf("\"description\": \"");
        for (int w = 0; w < 40; w++)
            printf("%s%s", w ? " " : "", words[next(&s) % 8]);
        printf("\", \"labels\": {");
        for (int l = 0; l < 6; l++)
            printf("%s\"%slabel_%s_%d\": \"%s\"", l ? ", " : "",
                   defect == BAD_LABEL && l == 3 ? "X" : "", words[next(&s) % 8], l,
                   words[next(&s) % 8]);
        printf("}, \"x-region\": \"eu-west\", \"x-retries\": %u, \"x-test\": %s",
               (unsigned)(next(&s) % 3), next(&s) % 2 ? "true" : "false");
        if (defect == BAD_XFIELD) printf(", \"x-trace\": {\"id\": 1}");
        if (defect == UNEVALUATED) printf(", \"note\": \"manual capture\"");
        puts("}");
    }
    fprintf(stderr, "gen-strict: %llu lines, %llu invalid\n", (unsigned long long)count,
            (unsigned long long)invalid);
    return 0;
}
