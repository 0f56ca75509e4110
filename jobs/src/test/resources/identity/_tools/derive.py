#!/usr/bin/env python3
"""Independent derivation of the identity golden cases' expected values (not the Java code): Fellegi-Sunter
weights from the case's model.json by hand-written rules, person ids as documented (AssignPersonIds: 'P' + the
first 8 bytes of SHA-256 of the cluster's smallest 'source NUL record_id', in hex).

Usage: derive.py CASE_DIR  -> prints, per phase, each blocked pair's field weights, match weight, probability
and status, and each record's person id. The fixtures use exact agreement or a missing value only, so the
comparison level of a field is 'exact' (best level) or missing (no weight).

Term frequencies: a model.json with term_frequency_records and term_frequencies ({field: {value: records}}) is
a model stored with its own (a value it does not list counts as one); without them, the share of the phase's
records with the value."""
import hashlib, json, math, sys, os

FIELDS = ["given_name", "family_name", "birth_date", "sex", "street", "city", "postcode", "state", "phone", "ssn",
          "email", "mrn"]
TF = {"given_name", "family_name", "street", "city", "postcode"}  # identity.term_frequency_fields default: exact level u = share of records with the value

def mint(source, rid):
    return "P" + hashlib.sha256((source + "\0" + rid).encode()).hexdigest()[:16]

def weights(model, a, b, n, counts):
    fields = {f["field"]: f for f in model["fields"]}
    out = {}
    for f in FIELDS:
        va, vb = a.get(f), b.get(f)
        if va is None or vb is None or va == "" or vb == "":
            out[f] = 0.0
            continue
        levels = fields[f]["levels"]
        g = len(levels) - 1 if va.lower() == vb.lower() else 0
        m, u = levels[g]["m"], levels[g]["u"]
        if f in TF and g == len(levels) - 1:
            u = counts[f][va.lower()] / n
        out[f] = math.log2(max(m, 1e-6) / max(u, 1e-6))
    return out

def main(case):
    model = json.load(open(os.path.join(case, "model.json")))
    lam = model["lambda"]
    prior = math.log2(lam / (1 - lam))
    print("prior", round(prior, 6))
    for phase in sorted(d for d in os.listdir(case) if d.startswith("run")):
        people = [json.loads(l) for l in open(os.path.join(case, phase, "input/people.ndjson")) if l.strip()]
        n = len(people)
        counts = {f: {} for f in TF}
        for p in people:
            for f in TF:
                if p.get(f):
                    counts[f][p[f].lower()] = counts[f].get(p[f].lower(), 0) + 1
        if "term_frequency_records" in model:
            n = model["term_frequency_records"]
            stored = model.get("term_frequencies", {})
            counts = {f: {v: stored.get(f, {}).get(v, 1) for v in counts[f]} for f in TF}
        print("==", phase, "records", n)
        for i, a in enumerate(people):
            for b in people[i + 1:]:
                same_key = a["given_name"] == b["given_name"] and a["family_name"] == b["family_name"]
                if not same_key:
                    continue
                w = weights(model, a, b, n, counts)
                mw = prior + sum(w.values())
                p = 2 ** mw / (1 + 2 ** mw)
                print(a["source"], a["record_id"], "~", b["source"], b["record_id"],
                      {k: round(v, 6) for k, v in w.items() if v}, "weight", round(mw, 6), "p", round(p, 6))
        for p in people:
            print("  mint", p["source"], p["record_id"], mint(p["source"], p["record_id"]))

main(sys.argv[1])
