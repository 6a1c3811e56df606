#!/usr/bin/env python3
"""gen_schema.py - a large JSON Schema shaped like the biggest public ones (Kubernetes CRD bundles,
data-contract standards): many resource definitions, each an object of typed, bounded, patterned
properties, nested objects and arrays, enums, shared $defs reached by $ref, and repeated
identical subschemas. For the `bigschema` row of `make bench` (codegen and cc time).

Usage: gen_schema.py [--resources N] [--seed S] > big.schema.json
       gen_schema.py [--resources N] [--seed S] --messages M > big.ndjson
Deterministic for a given seed; N=400 gives a schema of about 1.5 MB. --messages writes M
messages for the same schema, one per line, resource after resource, every tenth broken in
one member (for the bench's validation row).
"""
import json
import random
import sys


def main():
    args = sys.argv[1:]
    n, seed, messages = 400, 1, 0
    for i in range(0, len(args), 2):
        if args[i] == "--resources":
            n = int(args[i + 1])
        elif args[i] == "--seed":
            seed = int(args[i + 1])
        elif args[i] == "--messages":
            messages = int(args[i + 1])
    r = random.Random(seed)
    defs = {
        "quantity": {"anyOf": [{"type": "integer"}, {"type": "string",
                     "pattern": "^[+-]?[0-9]+(\\.[0-9]+)?([eE][+-]?[0-9]+|[KMGTPE]i?|[mun])?$"}]},
        "labels": {"type": "object", "additionalProperties": {"type": "string", "maxLength": 63},
                   "propertyNames": {"pattern": "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(/[a-zA-Z0-9_.-]+)?$"}},
        "selector": {"type": "object", "properties": {
            "matchLabels": {"$ref": "#/$defs/labels"},
            "matchExpressions": {"type": "array", "items": {
                "type": "object", "required": ["key", "operator"],
                "properties": {"key": {"type": "string"},
                               "operator": {"enum": ["In", "NotIn", "Exists", "DoesNotExist"]},
                               "values": {"type": "array", "items": {"type": "string"}}}}}}},
    }

    def leaf(depth):
        k = r.randrange(9)
        if k == 0:
            return {"type": "string", "maxLength": r.choice([63, 253, 1024])}
        if k == 1:
            return {"type": "integer", "minimum": 0, "maximum": r.choice([100, 65535, 2147483647])}
        if k == 2:
            return {"type": "boolean"}
        if k == 3:
            return {"enum": ["v%d" % i for i in range(r.randrange(3, 12))]}
        if k == 4:
            return {"$ref": "#/$defs/" + r.choice(sorted(defs))}
        if k == 5:
            return {"type": "string", "format": r.choice(["date-time", "uri", "email", "uuid"])}
        if k == 6 and depth < 3:
            return obj(depth + 1, r.randrange(3, 10))
        if k == 7 and depth < 3:
            return {"type": "array", "maxItems": 100, "items": obj(depth + 1, r.randrange(2, 6))}
        return {"type": "string", "pattern": "^[a-z][a-z0-9-]{0,%d}$" % r.randrange(10, 60)}

    def obj(depth, m):
        props = {"f%d_%d" % (depth, i): leaf(depth) for i in range(m)}
        return {"type": "object", "additionalProperties": False, "properties": props,
                "required": sorted(r.sample(sorted(props), min(2, m)))}

    resources = {}
    for i in range(n):
        resources["Resource%d" % i] = {
            "type": "object", "required": ["apiVersion", "kind", "spec"],
            "properties": {"apiVersion": {"const": "example.io/v%d" % (i % 3 + 1)},
                           "kind": {"const": "Resource%d" % i},
                           "metadata": {"type": "object", "properties": {
                               "name": {"type": "string", "maxLength": 253},
                               "labels": {"$ref": "#/$defs/labels"}}},
                           "spec": obj(1, r.randrange(8, 24)),
                           "status": obj(2, r.randrange(2, 8))}}
    defs.update(resources)
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema",
              "$id": "https://meshgate.example/bench/bigschema",
              "oneOf": [{"$ref": "#/$defs/Resource%d" % i} for i in range(n)],
              "$defs": defs}
    if messages:
        write_messages(schema, messages, random.Random(seed))
        return
    json.dump(schema, sys.stdout, indent=1, sort_keys=False)
    sys.stdout.write("\n")


def instance(defs, sch, r):
    """A value the subschema accepts (for the shapes main() writes)."""
    if "$ref" in sch:
        return instance(defs, defs[sch["$ref"].split("/")[-1]], r)
    if "const" in sch:
        return sch["const"]
    if "enum" in sch:
        return r.choice(sch["enum"])
    if "anyOf" in sch:
        return r.choice([r.randrange(1000), "%dMi" % r.randrange(1, 512)])
    t = sch.get("type")
    if t == "object":
        props = sch.get("properties", {})
        keep = [k for k in props if k in sch.get("required", []) or r.random() < 0.8]
        if not props and "additionalProperties" in sch:
            return {"app": "web", "tier": "backend"}
        return {k: instance(defs, props[k], r) for k in keep}
    if t == "array":
        return [instance(defs, sch["items"], r) for _ in range(r.randrange(1, 4))]
    if t == "integer":
        return r.randrange(0, 100)
    if t == "boolean":
        return r.random() < 0.5
    fmt = {"date-time": "2026-12-02T11:36:30Z", "uri": "https://example.io/a/b",
           "email": "owner@example.io", "uuid": "123e4567-e89b-12d3-a456-426614174000"}
    if sch.get("format") in fmt:
        return fmt[sch["format"]]
    return "name-%d" % r.randrange(1000)


def write_messages(schema, count, r):
    defs = schema["$defs"]
    names = [ref["$ref"].split("/")[-1] for ref in schema["oneOf"]]
    for i in range(count):
        v = instance(defs, defs[names[i % len(names)]], r)
        if i % 10 == 9:
            spec = v["spec"]
            spec[r.choice(sorted(spec))] = {"bad": True}
        sys.stdout.write(json.dumps(v, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
