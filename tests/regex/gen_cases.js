// gen_cases.js - random patterns and strings with JavaScript's own verdicts, for re_diff.
//
// Usage: node tests/regex/gen_cases.js SEED COUNT > cases.jsonl
// Design: a seeded generator (mulberry32, so a seed always gives the same cases) builds COUNT
// random patterns from the syntax meshgate supports: characters of 1 to 4 UTF-8 bytes, ".",
// bracket classes with ranges and class escapes, \d \w \s and their negations, \p{...} with
// property names meshgate knows, ^ $ \b \B, capturing, named and non-capturing groups,
// alternation, greedy and lazy quantifiers (small bounds, sometimes large ones), the four
// lookarounds nested anywhere, and backreferences (numbered, named, forward). One pattern in
// five also gets an ECMA-262 Annex B construct (an identity escape, a lone "]" "{" "}", a
// quantified lookahead, a class range with a class escape at one end); such patterns avoid
// what means something else without the u flag (\p, \u{...}, characters beyond U+FFFF, in
// the pattern and in its strings), since Node must then compile them without it. Each pattern
// gets strings: random ones over a small alphabet, ones built to match by walking the pattern,
// and mutations of those. Every pattern is compiled by RegExp with the u flag and without it
// (u, b: whether each compiled); the strings get RegExp.prototype.test's verdicts with the u
// flag, or without it for a pattern meant as Annex B (annex) that only compiles so.
'use strict';

const seed = Number(process.argv[2] || 1) >>> 0;
const count = Number(process.argv[3] || 1000);

let state = seed || 1;
function rnd() {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const int = (n) => Math.floor(rnd() * n);
const pick = (a) => a[int(a.length)];
const chance = (p) => rnd() < p;

// Characters strings are made of: ASCII with word and non-word ones, line terminators,
// letters and digits of other scripts, spaces, and (u-mode only) a 4-byte emoji and letter.
const BMP = ['a', 'b', 'c', 'x', 'A', 'Z', '0', '1', '9', '_', '-', '.', ' ', '/', '\n', '\r',
             '\t', '\u00e9', '\u00c9', '\u03a9', '\u03b1', '\u20ac', '\u0663', '\u4e2d',
             '\u00a0', '\u2028', '\u3000', '\ufeff', '!', '@', '{', '}', ']', '&'];
const ASTRAL = ['\u{1F600}', '\u{1D400}', '\u{10400}'];
const PROPS = ['L', 'Letter', 'Lu', 'Ll', 'Lo', 'N', 'Nd', 'digit', 'P', 'S', 'Sc', 'Z', 'Zs',
               'Script=Greek', 'sc=Latn', 'Script=Han', 'gc=Nd', 'General_Category=Lu',
               'ASCII', 'Alphabetic', 'White_Space', 'Any'];
const SYNTAX = '^$\\.*+?()[]{}|/';

function escChar(c) {
    if (SYNTAX.includes(c)) return '\\' + c;
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    if (c === '-') return chance(0.5) ? '-' : '\\x2d';
    return c;
}

// ---- patterns: an AST (for strings that match) rendered as text ----

function genAtomChar(opts) {
    const c = pick(opts.astral ? BMP.concat(ASTRAL) : BMP);
    return {k: 'char', c};
}

function classAtom(opts) {
    const r = int(10);
    if (r === 0) return {text: pick(['\\d', '\\w', '\\s', '\\D', '\\W', '\\S']), esc: true};
    if (r === 1 && opts.u) return {text: (chance(0.8) ? '\\p{' : '\\P{') + pick(PROPS) + '}', esc: true};
    let c = pick(opts.astral ? BMP.concat(ASTRAL) : BMP);
    let text = c;
    if ('\\]^-['.includes(c)) text = '\\' + c;
    else if (c === '\n') text = '\\n';
    return {text, c};
}

function genClass(opts) {
    let body = '';
    const n = int(4);
    for (let i = 0; i < n; i++) {
        const a = classAtom(opts);
        if (!a.esc && chance(0.3)) {
            const b = classAtom(opts);
            if (!b.esc && b.c.codePointAt(0) >= a.c.codePointAt(0)) {
                body += a.text + '-' + b.text;
                continue;
            }
        }
        body += a.text;
    }
    return {k: 'class', text: (chance(0.3) ? '[^' : '[') + body + ']'};
}

function genQuant(opts) {
    const r = int(10);
    let q;
    if (r < 3) q = pick(['*', '+', '?']);
    else if (r < 9) {
        const a = int(4);
        q = pick([`{${a}}`, `{${a},}`, `{${a},${a + int(4)}}`]);
    } else if (!opts.large) {
        // one large bound per pattern: nested ones multiply past meshgate's limits
        opts.large = true;
        const a = int(3);
        q = `{${a},${a + 50 + int(300)}}`;
    } else {
        q = '{1,2}';
    }
    return q + (chance(0.3) ? '?' : '');
}

function backref(opts) {
    opts.backrefs = true;
    if (opts.names.length && chance(0.4)) return {k: 'bref', text: `\\k<${pick(opts.names)}>`};
    return {k: 'bref', text: '\\' + (1 + int(Math.max(1, opts.groups)))};
}

function gen(depth, opts) {
    if ((opts.groups || opts.names.length) && chance(0.06)) return backref(opts);
    const r = int(depth > 3 ? 6 : 16);
    switch (r) {
    case 0: case 1: case 2: {
        const c = genAtomChar(opts);
        return {k: 'lit', c: c.c, text: escChar(c.c)};
    }
    case 3: return {k: 'any', text: '.'};
    case 4: return genClass(opts);
    case 5: {
        const e = pick(['\\d', '\\w', '\\s', '\\D', '\\W', '\\S', '^', '$', '\\b', '\\B']);
        if (opts.u && chance(0.2)) return {k: 'set', text: (chance(0.8) ? '\\p{' : '\\P{') + pick(PROPS) + '}'};
        return {k: e.length === 1 || e[1] === 'b' || e[1] === 'B' ? 'assert' : 'set', text: e};
    }
    case 6: case 7: {
        const n = 1 + int(3), parts = [];
        for (let i = 0; i < n; i++) parts.push(gen(depth + 1, opts));
        return {k: 'cat', parts, text: parts.map((p) => p.text).join('')};
    }
    case 8: {
        const n = 2 + int(2), parts = [];
        for (let i = 0; i < n; i++) parts.push(gen(depth + 1, opts));
        return {k: 'alt', parts, text: parts.map((p) => p.text).join('|')};
    }
    case 9: case 10: {
        const body = gen(depth + 1, opts);
        const kind = int(3);
        if (kind === 0) {
            opts.groups++;
            return {k: 'group', body, n: opts.groups, text: '(' + body.text + ')'};
        }
        if (kind === 1 && opts.names.length < 3) {
            opts.groups++;
            const name = 'g' + opts.names.length;
            opts.names.push(name);
            return {k: 'group', body, n: opts.groups, text: `(?<${name}>` + body.text + ')'};
        }
        return {k: 'group', body, text: '(?:' + body.text + ')'};
    }
    case 11: case 12: {
        let body = gen(depth + 1, opts);
        if (!/^\((?!\?[=!<])/.test(body.text) || body.k !== 'group')
            body = {k: 'group', body, text: '(?:' + body.text + ')'};
        return {k: 'rep', body, text: body.text + genQuant(opts)};
    }
    case 13: case 14: {
        const body = gen(depth + 1, opts);
        const op = pick(['?=', '?!', '?<=', '?<!']);
        return {k: 'look', body, text: '(' + op + body.text + ')'};
    }
    default:
        if (opts.groups === 0 && opts.names.length === 0 && !chance(0.1)) return gen(depth, opts);
        return backref(opts);
    }
}

// Annex B constructs, inserted at the end of a u-valid body.
function annexB() {
    return pick([
        () => '\\' + pick(['&', '%', '@', '-', ',', '#', '~', '"', "'", '=', '!', 'e', 'g', 'z', 'q']),
        () => pick([']', '}', 'a{', 'x{1', '{,2}', 'a{x}']),
        () => '(?=' + pick(['a', 'b', '.', '\\w']) + ')' + pick(['*', '+', '?', '{2}']),
        () => '(?!' + pick(['a', 'c']) + ')' + pick(['*', '?']),
        () => '[' + pick(['\\d-z', 'a-\\w', '\\s--', '\\w-\\d']) + ']',
        () => '[\\' + pick(['&', '%', '!', 'q']) + 'a]',
    ])();
}

// ---- strings ----

function alphabet(opts) {
    return opts.astral ? BMP.concat(ASTRAL) : BMP;
}

function randomString(opts) {
    let s = '';
    const n = int(9);
    for (let i = 0; i < n; i++) s += pick(alphabet(opts));
    return s;
}

// A string the node would likely match (best effort: classes and assertions are guessed).
function sample(node, opts, budget) {
    if (budget.n-- <= 0) return '';
    switch (node.k) {
    case 'lit': return node.c;
    case 'any': case 'class': case 'set': return pick(alphabet(opts));
    case 'assert': case 'bref': return '';
    case 'cat': return node.parts.map((p) => sample(p, opts, budget)).join('');
    case 'alt': return sample(pick(node.parts), opts, budget);
    case 'group': return sample(node.body, opts, budget);
    case 'look': return node.text.startsWith('(?=') || node.text.startsWith('(?<=') ? '' : '';
    case 'rep': {
        let s = '';
        const n = int(4);
        for (let i = 0; i < n; i++) s += sample(node.body, opts, budget);
        return s;
    }
    default: return '';
    }
}

function strings(ast, opts) {
    const out = new Set(['']);
    for (let i = 0; i < 4; i++) out.add(randomString(opts));
    for (let i = 0; i < 4; i++) {
        let s = sample(ast, opts, {n: 60});
        if (chance(0.5)) s = pick(alphabet(opts)) + s;
        if (chance(0.5)) s += pick(alphabet(opts));
        out.add(s);
        if (s.length > 1) {
            const cps = [...s];
            cps.splice(int(cps.length), 1);
            out.add(cps.join(''));
        }
    }
    return [...out];
}

// RegExp.prototype.test as ECMA-262 specifies its search (RegExpBuiltinExec): a match tried
// at each index from 0, the index advancing by a whole code point under the u flag. V8 also
// tries the index between the two halves of a surrogate pair for some patterns (/\B/u
// matches "b\u{1F600}b" at 2); its verdict at each index the specification tries is
// taken with the sticky flag, and the strings where plain test() differs are counted apart.
// V8 backtracks, so a pattern can take exponential time on a short string: the verdicts run
// in a vm context with a time limit, and a pattern that exceeds it is left out (counted).
const vm = require('vm');
const sandbox = vm.createContext({});
vm.runInContext(`
function specTest(re, s) {
    const sticky = new RegExp(re.source, re.flags + 'y');
    for (let i = 0; ; ) {
        sticky.lastIndex = i;
        if (sticky.test(s)) return true;
        if (i >= s.length) return false;
        i += re.unicode && s.codePointAt(i) > 0xffff ? 2 : 1;
    }
}
function verdicts(p, flags, ss) {
    const re = new RegExp(p, flags);
    return ss.map((s) => [specTest(re, s) ? 1 : 0, re.test(s) ? 1 : 0]);
}`, sandbox);
const quirks = [];
let slow = 0;

for (let i = 0; i < count; i++) {
    const annex = chance(0.2);
    const opts = {u: !annex, astral: !annex, groups: 0, names: [], backrefs: false};
    const ast = gen(0, opts);
    let p = ast.text;
    if (annex) {
        const at = int(3);
        const b = annexB();
        p = at === 0 ? b + p : at === 1 ? p + b : p.slice(0, 0) + p + b;
    }
    if (p.length > 400) p = 'a';
    if (!annex && chance(0.06)) {
        // a syntax mutation: both engines must agree on validity
        const cps = [...p], at = int(cps.length + 1);
        if (chance(0.6)) cps.splice(at, 0, pick([...'()[]{}*+?\\|^$-']));
        else cps.splice(at, 1);
        p = cps.join('');
    }
    let reU = null, reB = null;
    try {
        reU = new RegExp(p, 'u');
    } catch (e) {
        reU = null;
    }
    try {
        reB = new RegExp(p);
    } catch (e) {
        reB = null;
    }
    // verdicts: with u when valid; without it only for a pattern meant as Annex B (its
    // strings and characters mean the same in both modes)
    const re = reU || (annex ? reB : null);
    const line = {p, u: reU !== null, b: reB !== null, annex};
    if (re) {
        const ss = strings(ast, opts);
        let v;
        try {
            sandbox.args = [p, re.flags, ss];
            v = vm.runInContext('verdicts(...args)', sandbox, {timeout: 500});
        } catch (e) {
            slow++;
            continue;
        }
        line.s = ss;
        line.m = v.map((x) => x[0]);
        for (let k = 0; k < ss.length; k++)
            if (v[k][0] !== v[k][1]) quirks.push({p, s: ss[k], test: v[k][1] === 1});
    }
    process.stdout.write(JSON.stringify(line) + '\n');
}
if (quirks.length) {
    process.stderr.write(`gen_cases: V8's test() differs from the specification's search on ${quirks.length} strings, e.g. ` +
                         JSON.stringify(quirks[0]) + '\n');
}
if (slow) process.stderr.write(`gen_cases: ${slow} patterns left out: V8 took over 500 ms on their strings\n`);
