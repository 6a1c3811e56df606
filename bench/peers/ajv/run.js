// run.js - the Ajv benchmark peer of meshgate's validator comparison (bench/run.sh).
//
// Design: Ajv 8 in its draft 2020-12 build (Ajv2020) with every ajv-formats format on, so
// `format` asserts as it does in meshgate by default; strict mode off so schemas carrying
// annotations Ajv does not know still compile. The schema is compiled once. The NDJSON file
// is read and split into lines (byte slices, as a Kafka consumer gets them) before timing;
// a timed pass is, per line, a strict UTF-8 decode (TextDecoder, fatal, BOM kept: invalid
// UTF-8 or a BOM makes the line invalid, as in meshgate), JSON.parse, then the compiled
// validate; a line that is not JSON is invalid. One warm-up pass, then --repeat timed passes
// (process.hrtime.bigint()); the best pass is reported. Bytes are the lines' lengths without
// the newlines, as bench/mgbench.c counts them.
//
// Usage: node bench/peers/ajv/run.js SCHEMA.json FILE.ndjson VERDICTS_OUT [--repeat R]
// Writes one verdict per line to VERDICTS_OUT ("1" valid, "0" invalid) and prints
//   impl=ajv msgs=N valid=V ns_per_msg=X mb_per_s=Y
'use strict';

const fs = require('fs');
const Ajv2020 = require('ajv/dist/2020').default;
const addFormats = require('ajv-formats').default;

function usage() {
    process.stderr.write(
        'usage: node run.js SCHEMA.json FILE.ndjson VERDICTS_OUT [--repeat R]\n');
    process.exit(2);
}

const args = process.argv.slice(2);
let repeat = 5;
const pos = [];
for (let i = 0; i < args.length; i++) {
    if (args[i] === '--repeat' && i + 1 < args.length) repeat = parseInt(args[++i], 10);
    else pos.push(args[i]);
}
if (pos.length !== 3 || !(repeat >= 1)) usage();
const [schemaPath, linesPath, verdictsPath] = pos;

// multipleOf is a decimal operation in JSON Schema; with binary doubles 149.77 is not a
// multiple of 0.01, so ajv offers multipleOfPrecision (digits compared) for decimal amounts.
const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: true,
                          multipleOfPrecision: 9 });
addFormats(ajv); // all formats, "full" mode
const validate = ajv.compile(JSON.parse(fs.readFileSync(schemaPath, 'utf8')));

// Split into lines (a final newline does not start another line).
const buf = fs.readFileSync(linesPath);
const lines = [];
let bytes = 0;
for (let i = 0; i < buf.length;) {
    let end = buf.indexOf(0x0a, i);
    if (end < 0) end = buf.length;
    lines.push(buf.subarray(i, end));
    bytes += end - i;
    i = end + 1;
}
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

const n = lines.length;
const verdict = new Uint8Array(n);

function pass() {
    for (let i = 0; i < n; i++) {
        let ok;
        try {
            ok = validate(JSON.parse(decoder.decode(lines[i])));
        } catch (e) {
            ok = false; // not UTF-8 or not JSON
        }
        verdict[i] = ok ? 1 : 0;
    }
}

pass(); // warm-up (and JIT)
let best = Infinity;
for (let r = 0; r < repeat; r++) {
    const t0 = process.hrtime.bigint();
    pass();
    const t = Number(process.hrtime.bigint() - t0);
    if (t < best) best = t;
}

let valid = 0;
const out = new Array(n);
for (let i = 0; i < n; i++) {
    valid += verdict[i];
    out[i] = verdict[i] ? '1' : '0';
}
fs.writeFileSync(verdictsPath, n ? out.join('\n') + '\n' : '');

const nsPerMsg = n ? best / n : 0;
const mbPerS = best > 0 ? (bytes / best) * 1e3 : 0;
process.stdout.write(`impl=ajv msgs=${n} valid=${valid} ns_per_msg=${nsPerMsg.toFixed(1)} ` +
    `mb_per_s=${mbPerS.toFixed(1)}\n`);
