/* gen.c - deterministic generator of order events (NDJSON, about 1 KB each) for the order
 * benchmark workload (bench/workloads/order/order.schema.json).
 *
 * Design: a fixed-seed xorshift generator builds each event (uuid, date-time, customer,
 * shipping and billing addresses, 3 to 8 line items, total); for the chosen fraction of
 * lines it applies exactly one defect from a fixed list (bad email, quantity 0, unknown
 * status, bad uuid, missing total, price as a string), so the same arguments always give the
 * same bytes and the invalid count is known. It prints that count on stderr.
 * Usage: gen-order --seed S --count N --invalid-fraction F > out.ndjson
 */
#include <stdbool.h>

#include "../gen.h"

enum { OK, BAD_EMAIL, ZERO_QTY, BAD_STATUS, BAD_UUID, NO_TOTAL, PRICE_STRING, NDEFECTS };

int main(int argc, char **argv)
{
    gen_args a = {1, 1000, 0.1};
    if (!gen_parse(argc, argv, "gen-order", &a)) return 2;
    uint64_t count = a.count;
    double bad = a.invalid_fraction;
    static const char *const names[] = {"Ada Lovelace",   "Grace Hopper",  "Alan Turing",
                                        "Barbara Liskov", "Frances Allen", "Margaret Hamilton"};
    static const char *const cities[] = {"London", "Manchester", "Leeds", "Bristol", "Glasgow"};
    static const char *const statuses[] = {"placed", "paid", "packed", "shipped", "cancelled"};
    static const char *const channels[] = {"web", "app", "store", "phone"};
    static const char *const tiers[] = {"none", "silver", "gold", "platinum"};
    static const char *const items[] = {"Mechanical keyboard",     "USB-C cable, 2 m",
                                        "27-inch monitor",         "Noise-cancelling headphones",
                                        "Laptop stand, aluminium", "Wireless mouse"};
    uint64_t s = gen_state(a.seed), invalid = 0;
    for (uint64_t n = 0; n < count; n++) {
        int defect =
            (double)(next(&s) % 1000000) / 1e6 < bad ? (int)(next(&s) % (NDEFECTS - 1)) + 1 : OK;
        invalid += defect != OK;
        uint64_t u1 = next(&s), u2 = next(&s);
        unsigned cust = (unsigned)(next(&s) % 900000) + 1;
        const char *name = names[next(&s) % 6], *city = cities[next(&s) % 5];
        printf("{\"orderId\": \"%08x-%04x-4%03x-%04x-%012llx%s\", ", (unsigned)u1,
               (unsigned)(u1 >> 32) & 0xffff, (unsigned)(u1 >> 48) & 0xfff,
               0x8000 | ((unsigned)u2 & 0x3fff), (unsigned long long)(u2 >> 16) & 0xffffffffffffull,
               defect == BAD_UUID ? "z" : "");
        printf("\"placedAt\": \"2026-%02u-%02uT%02u:%02u:%02u.%03uZ\", ", 1 + (unsigned)(n % 12),
               1 + (unsigned)(next(&s) % 28), (unsigned)(next(&s) % 24), (unsigned)(next(&s) % 60),
               (unsigned)(next(&s) % 60), (unsigned)(next(&s) % 1000));
        printf("\"status\": \"%s\", \"channel\": \"%s\", ",
               defect == BAD_STATUS ? "lost" : statuses[next(&s) % 5], channels[next(&s) % 4]);
        printf("\"customer\": {\"id\": %u, \"email\": \"customer%u%sexample.com\", \"name\": "
               "\"%s\", \"loyaltyTier\": \"%s\"}, ",
               cust, cust, defect == BAD_EMAIL ? "." : "@", name, tiers[next(&s) % 4]);
        for (int a = 0; a < 2; a++)
            printf("\"%s\": {\"line1\": \"%u Olympia Way\", \"line2\": \"Flat %u\", \"city\": "
                   "\"%s\", \"postcode\": \"W14 %uAB\", \"country\": \"GB\"}, ",
                   a ? "billing" : "shipping", 1 + (unsigned)(next(&s) % 200),
                   1 + (unsigned)(next(&s) % 40), city, (unsigned)(next(&s) % 10));
        unsigned nlines = 3 + (unsigned)(next(&s) % 6), total = 0;
        unsigned bad_line =
            defect == ZERO_QTY || defect == PRICE_STRING ? (unsigned)(next(&s) % nlines) : nlines;
        printf("\"lines\": [");
        for (unsigned i = 0; i < nlines; i++) {
            unsigned qty = 1 + (unsigned)(next(&s) % 5), pence = 199 + (unsigned)(next(&s) % 20000);
            if (i == bad_line && defect == ZERO_QTY) qty = 0;
            total += qty * pence;
            const char *q = i == bad_line && defect == PRICE_STRING ? "\"" : "";
            printf("%s{\"sku\": \"MSH-%06u\", \"description\": \"%s\", \"quantity\": %u, "
                   "\"unitPrice\": {\"amount\": %s%u.%02u%s, \"currency\": \"GBP\"}, "
                   "\"giftWrap\": %s}",
                   i ? ", " : "", (unsigned)(next(&s) % 1000000), items[next(&s) % 6], qty, q,
                   pence / 100, pence % 100, q, next(&s) % 2 ? "true" : "false");
        }
        printf("]");
        if (defect != NO_TOTAL)
            printf(", \"total\": {\"amount\": %u.%02u, \"currency\": \"GBP\"}", total / 100,
                   total % 100);
        printf("}\n");
    }
    fprintf(stderr, "gen-order: %llu lines, %llu invalid\n", (unsigned long long)count,
            (unsigned long long)invalid);
    return 0;
}
