// server.js - the minimal Node.js peer of meshgate's HTTP ingest in `make bench` (bench/http/):
// what a team would write instead of meshgate for the same endpoint. Node's http server, Ajv 8
// (Ajv2020, ajv-formats, the schema compiled once) and KafkaJS 2 (acks all, as meshgate's
// idempotent producer). POST /ingest: a JSON body is one event, an application/x-ndjson body
// one event a line; each is JSON.parse'd and validated; the valid ones are sent to the output
// topic in one producer.send, and the answer waits for the broker's acknowledgement: 202 with
// topic, partition and offset (a single event), or 200/202 with a result per event (a batch);
// an invalid single event is a 400 with Ajv's errors. No CloudEvent envelope (KafkaJS headers
// would add work meshgate does; the peer is kept minimal, which favours it).
//
// Usage: node server.js SCHEMA.json BROKERS TOPIC PORT. Prints "listening PORT" when ready.
'use strict';

const fs = require('fs');
const http = require('http');
const Ajv2020 = require('ajv/dist/2020').default;
const addFormats = require('ajv-formats').default;
const { Kafka, logLevel } = require('kafkajs');

const [schemaPath, brokers, topic, port] = process.argv.slice(2);
if (!port) {
    process.stderr.write('usage: node server.js SCHEMA.json BROKERS TOPIC PORT\n');
    process.exit(2);
}
const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: true });
addFormats(ajv);
const validate = ajv.compile(JSON.parse(fs.readFileSync(schemaPath, 'utf8')));
const kafka = new Kafka({ clientId: 'node-peer', brokers: brokers.split(','),
                          logLevel: logLevel.NOTHING });
const producer = kafka.producer({ allowAutoTopicCreation: false });

function check(text) {
    let v;
    try {
        v = JSON.parse(text);
    } catch (e) {
        return { ok: false, errors: [{ message: 'not JSON' }] };
    }
    return validate(v) ? { ok: true } : { ok: false, errors: validate.errors };
}

async function handle(req, body) {
    const batch = (req.headers['content-type'] || '').startsWith('application/x-ndjson');
    const events = batch ? body.split('\n').filter((l) => l.trim() !== '') : [body];
    const verdicts = events.map(check);
    const valid = events.filter((_, i) => verdicts[i].ok);
    let acks = [];
    if (valid.length) {
        const r = await producer.send({ topic, acks: -1,
                                        messages: valid.map((value) => ({ value })) });
        acks = r;
    }
    if (!batch) {
        if (!verdicts[0].ok) return [400, { status: 400, errors: verdicts[0].errors }];
        return [202, { topic, partition: acks[0].partition, offset: acks[0].baseOffset }];
    }
    const results = verdicts.map((v) => (v.ok ? { status: 202 } : { status: 400,
                                                                     errors: v.errors }));
    return [valid.length === events.length ? 202 : 200, { results }];
}

async function main() {
    await producer.connect();
    const server = http.createServer((req, res) => {
        if (req.method !== 'POST') {
            res.writeHead(405).end();
            return;
        }
        const chunks = [];
        req.on('data', (c) => chunks.push(c));
        req.on('end', () => {
            handle(req, Buffer.concat(chunks).toString('utf8')).then(
                ([status, obj]) => {
                    res.writeHead(status, { 'Content-Type': 'application/json' });
                    res.end(JSON.stringify(obj));
                },
                (err) => {
                    res.writeHead(503, { 'Content-Type': 'application/json' });
                    res.end(JSON.stringify({ status: 503, detail: String(err) }));
                });
        });
    });
    server.keepAliveTimeout = 10000;
    server.listen(parseInt(port, 10), '127.0.0.1', () => process.stdout.write(`listening ${port}\n`));
}

main().catch((e) => {
    process.stderr.write(`node peer: ${e}\n`);
    process.exit(1);
});
