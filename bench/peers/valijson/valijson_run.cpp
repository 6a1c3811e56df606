// valijson_run.cpp - the valijson benchmark peer of meshgate's validator comparison
// (bench/run.sh). Benchmark code, not product code; built by `make build/bench/valijson_run`.
//
// Design: valijson (Debian libvalijson-dev 1.0) through its nlohmann::json adapter
// (nlohmann-json3-dev). valijson 1.0 knows drafts 3, 4 and 7 only, so the schema, whatever
// its $schema says, is parsed as draft-07: right where the 2020-12 keywords coincide with
// draft-07's (type, properties, required, pattern, exclusiveMaximum, ...), not for 2020-12
// only keywords ($defs/$ref by $id, prefixItems, unevaluated*, dependentSchemas, $dynamicRef).
// valijson asserts `format` only for date, time and date-time; other formats pass.
// The schema is parsed once; one Validator is kept so its regex cache is warm. The NDJSON
// file is read and split into lines before timing; a timed pass is, per line, a non-throwing
// nlohmann parse (a line that is not JSON, or starts with a UTF-8 BOM, which nlohmann would
// skip, is invalid) then validation without error
// collection (stops at the first failure). One warm-up pass, then --repeat timed passes; the
// best pass is reported. Bytes are the lines' lengths without the newlines, as
// bench/mgbench.c counts them.
//
// Usage: valijson_run SCHEMA.json FILE.ndjson VERDICTS_OUT [--repeat R]
// Writes one verdict per line to VERDICTS_OUT ("1" valid, "0" invalid) and prints
//   impl=valijson msgs=N valid=V ns_per_msg=X mb_per_s=Y
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>

namespace {

bool read_file(const char *path, std::string &out)
{
    std::ifstream f(path, std::ios::binary);
    if (!f) return false;
    out.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
    return !f.bad();
}

struct Line {
    const char *p;
    size_t len;
};

// One pass over every line: parse, validate, record the verdict.
void pass(const std::vector<Line> &lines, valijson::Validator &validator,
          const valijson::Schema &schema, std::vector<unsigned char> &verdict)
{
    for (size_t i = 0; i < lines.size(); i++) {
        bool ok = false;
        // nlohmann skips a leading UTF-8 BOM; JSON text has none (RFC 8259 section 8.1), and
        // meshgate and Ajv reject it, so a line starting with one is not JSON here either.
        const unsigned char *u = (const unsigned char *)lines[i].p;
        bool bom = lines[i].len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF;
        nlohmann::json doc;
        if (!bom)
            doc = nlohmann::json::parse(lines[i].p, lines[i].p + lines[i].len, nullptr,
                                        /*allow_exceptions=*/false);
        if (!bom && !doc.is_discarded()) {
            try {
                valijson::adapters::NlohmannJsonAdapter target(doc);
                ok = validator.validate(schema, target, nullptr);
            } catch (const std::exception &) {
                ok = false;
            }
        }
        verdict[i] = ok ? 1 : 0;
    }
}

} // namespace

int main(int argc, char **argv)
{
    const char *pos[3];
    int npos = 0, repeat = 5;
    for (int i = 1; i < argc; i++) {
        if (!std::strcmp(argv[i], "--repeat") && i + 1 < argc)
            repeat = std::atoi(argv[++i]);
        else if (npos < 3)
            pos[npos++] = argv[i];
        else
            npos = 4;
    }
    if (npos != 3 || repeat < 1) {
        std::fprintf(stderr, "usage: valijson_run SCHEMA.json FILE.ndjson VERDICTS_OUT "
                             "[--repeat R]\n");
        return 2;
    }

    std::string schema_text, text;
    if (!read_file(pos[0], schema_text)) {
        std::fprintf(stderr, "valijson_run: cannot read %s\n", pos[0]);
        return 2;
    }
    if (!read_file(pos[1], text)) {
        std::fprintf(stderr, "valijson_run: cannot read %s\n", pos[1]);
        return 2;
    }

    valijson::Schema schema;
    try {
        nlohmann::json schema_doc = nlohmann::json::parse(schema_text);
        valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
        valijson::adapters::NlohmannJsonAdapter schema_adapter(schema_doc);
        parser.populateSchema(schema_adapter, schema);
    } catch (const std::exception &e) {
        std::fprintf(stderr, "valijson_run: %s: %s\n", pos[0], e.what());
        return 2;
    }

    // Split into lines (a final newline does not start another line).
    std::vector<Line> lines;
    size_t bytes = 0;
    for (size_t i = 0; i < text.size();) {
        const void *nl = std::memchr(text.data() + i, '\n', text.size() - i);
        size_t end = nl ? (size_t)((const char *)nl - text.data()) : text.size();
        lines.push_back({text.data() + i, end - i});
        bytes += end - i;
        i = end + 1;
    }

    valijson::Validator validator(valijson::Validator::kStrongTypes);
    std::vector<unsigned char> verdict(lines.size());
    pass(lines, validator, schema, verdict); // warm-up
    double best = std::numeric_limits<double>::infinity();
    for (int r = 0; r < repeat; r++) {
        auto t0 = std::chrono::steady_clock::now();
        pass(lines, validator, schema, verdict);
        double t = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0)
                       .count();
        if (t < best) best = t;
    }

    FILE *f = std::fopen(pos[2], "w");
    if (!f) {
        std::fprintf(stderr, "valijson_run: cannot write %s\n", pos[2]);
        return 2;
    }
    size_t valid = 0;
    for (unsigned char v : verdict) {
        valid += v;
        std::fputs(v ? "1\n" : "0\n", f);
    }
    std::fclose(f);

    size_t n = lines.size();
    std::printf("impl=valijson msgs=%zu valid=%zu ns_per_msg=%.1f mb_per_s=%.1f\n", n, valid,
                n ? best / (double)n : 0.0, best > 0 ? (double)bytes / best * 1e3 : 0.0);
    return 0;
}
