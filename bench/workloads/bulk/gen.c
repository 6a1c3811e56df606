/* gen.c - deterministic generator of inventory snapshots (NDJSON, about 64 KB each: a header
 * and a few hundred rows) for the bulk benchmark workload (bench/workloads/bulk).
 *
 * Design: a fixed-seed xorshift generator builds each snapshot; for the chosen fraction of
 * lines exactly one row among the hundreds gets one defect from a fixed list (negative
 * quantity, bad SKU, unknown status, an extra property, a bad bin, an hour of 25), so a
 * validator must walk deep to find it. The same arguments always give the same bytes; the
 * invalid count is printed on stderr.
 * Usage: gen-bulk --seed S --count N --invalid-fraction F > out.ndjson
 */
#include <stdbool.h>

#include "../gen.h"

enum { OK, NEG_QTY, BAD_SKU, BAD_STATUS, EXTRA_PROP, BAD_BIN, BAD_DATE, NDEFECTS };

int main(int argc, char **argv)
{
    gen_args a = {1, 100, 0.1};
    if (!gen_parse(argc, argv, "gen-bulk", &a)) return 2;
    uint64_t count = a.count;
    double bad = a.invalid_fraction;
    static const char *const statuses[] = {"available", "damaged", "quarantined", "reserved"};
    static const char *const tags[] = {"fragile", "heavy", "cold", "hazmat", "returns", "promo"};
    uint64_t s = gen_state(a.seed), invalid = 0;
    for (uint64_t n = 0; n < count; n++) {
        int defect =
            (double)(next(&s) % 1000000) / 1e6 < bad ? (int)(next(&s) % (NDEFECTS - 1)) + 1 : OK;
        invalid += defect != OK;
        unsigned nrows = 300 + (unsigned)(next(&s) % 40);
        unsigned bad_row = defect ? (unsigned)(next(&s) % nrows) : nrows;
        uint64_t u1 = next(&s), u2 = next(&s);
        printf("{\"snapshotId\": \"%08x-%04x-4%03x-%04x-%012llx\", \"warehouse\": \"LHR-%02u\", "
               "\"takenAt\": \"2026-%02u-%02uT%02u:%02u:00Z\", \"counter\": \"night shift %u\", "
               "\"rows\": [",
               (unsigned)u1, (unsigned)(u1 >> 32) & 0xffff, (unsigned)(u1 >> 48) & 0xfff,
               0x8000 | ((unsigned)u2 & 0x3fff), (unsigned long long)(u2 >> 16) & 0xffffffffffffull,
               (unsigned)(next(&s) % 100), 1 + (unsigned)(n % 12), 1 + (unsigned)(next(&s) % 28),
               (unsigned)(next(&s) % 24), (unsigned)(next(&s) % 60), (unsigned)(next(&s) % 9));
        for (unsigned r = 0; r < nrows; r++) {
            int d = r == bad_row ? defect : OK;
            unsigned t1 = (unsigned)(next(&s) % 6), t2 = (t1 + 1 + (unsigned)(next(&s) % 5)) % 6;
            printf("%s{\"sku\": \"%s-%05u\", \"location\": {\"aisle\": %u, \"shelf\": %u, "
                   "\"bin\": \"%c%u\"}, \"quantity\": %d, \"reserved\": %u, \"unitCost\": %u.%02u, "
                   "\"status\": \"%s\", \"lastCounted\": \"2026-%02u-%02uT%02u:%02u:%02u%sZ\", "
                   "\"tags\": [\"%s\", \"%s\"]%s}",
                   r ? ", " : "", d == BAD_SKU ? "SK" : "SKU", (unsigned)(next(&s) % 100000),
                   1 + (unsigned)(next(&s) % 99), 1 + (unsigned)(next(&s) % 20),
                   d == BAD_BIN ? 'G' : 'A' + (char)(next(&s) % 6), (unsigned)(next(&s) % 10),
                   d == NEG_QTY ? -1 : (int)(next(&s) % 5000), (unsigned)(next(&s) % 50),
                   1 + (unsigned)(next(&s) % 900), (unsigned)(next(&s) % 100),
                   d == BAD_STATUS ? "lost" : statuses[next(&s) % 4], 1 + (unsigned)(n % 12),
                   1 + (unsigned)(next(&s) % 28), d == BAD_DATE ? 25 : (unsigned)(next(&s) % 24),
                   (unsigned)(next(&s) % 60), (unsigned)(next(&s) % 60), ".000", tags[t1], tags[t2],
                   d == EXTRA_PROP ? ", \"note\": \"recount\"" : "");
        }
        puts("]}");
    }
    fprintf(stderr, "gen-bulk: %llu lines, %llu invalid\n", (unsigned long long)count,
            (unsigned long long)invalid);
    return 0;
}
