/* gen.c - deterministic generator of identity messages (NDJSON) for benchmarks.
 *
 * Design: a fixed-seed xorshift generator picks names, ages and, for a chosen fraction of
 * lines, one defect (lower-case name, age over the bound, age as a string, missing Last), so
 * the same arguments always give the same bytes. Messages are about 150 bytes.
 * Usage: gen-identity --seed S --count N --invalid-fraction F > out.ndjson
 */
#include <stdbool.h>

#include "../gen.h"

int main(int argc, char **argv)
{
    gen_args a = {1, 1000, 0.1};
    if (!gen_parse(argc, argv, "gen-identity", &a)) return 2;
    uint64_t count = a.count;
    double bad = a.invalid_fraction;
    static const char *const firsts[] = {"Ada", "Grace",  "Alan",    "Edsger",  "Barbara",
                                         "Ken", "Dennis", "Niklaus", "Frances", "Margaret"};
    static const char *const lasts[] = {"Lovelace", "Hopper",  "Turing", "Dijkstra", "Liskov",
                                        "Thompson", "Ritchie", "Wirth",  "Allen",    "Hamilton"};
    uint64_t s = gen_state(a.seed);
    for (uint64_t n = 0; n < count; n++) {
        const char *f = firsts[next(&s) % 10], *l = lasts[next(&s) % 10];
        unsigned age = (unsigned)(next(&s) % 100);
        unsigned id = (unsigned)(next(&s) % 1000000);
        int defect = (double)(next(&s) % 1000000) / 1e6 < bad ? (int)(next(&s) % 4) + 1 : 0;
        char first[32];
        snprintf(first, sizeof first, "%s", f);
        if (defect == 1) first[0] = (char)(first[0] - 'A' + 'a');
        if (defect == 4)
            printf("{\"first\": \"%s\", \"Age\": %u, \"team\": \"data-products\", "
                   "\"employeeId\": %u, \"site\": \"london-hammersmith\", \"active\": true}\n",
                   first, age, id);
        else if (defect == 3)
            printf("{\"first\": \"%s\", \"Last\": \"%s\", \"Age\": \"%u\", \"team\": "
                   "\"data-products\", \"employeeId\": %u, \"site\": \"london-hammersmith\"}\n",
                   first, l, age, id);
        else
            printf("{\"first\": \"%s\", \"Last\": \"%s\", \"Age\": %u, \"team\": "
                   "\"data-products\", \"employeeId\": %u, \"site\": \"london-hammersmith\", "
                   "\"active\": true}\n",
                   first, l, defect == 2 ? 130 + age : age, id);
    }
    return 0;
}
