#!/usr/bin/env python3
"""Rebuild config/districts/kg.geojson from the OCHA COD-AB ADM2 file.

Usage: python3 config/districts/build_kg.py [SOURCE.geojson] [OUT.geojson]

Adds Bishkek and Osh city (cities of republican significance, absent from
ADM2) as districts of their own: each is the ring of ADM2 boundary edges
that no other unit shares and that surrounds the city centre.  Fixes the
known typos (Ak-Bashy -> At-Bashy; U+04CA -> U+04A3 in Kyrgyz names).
"""
import json
import os
import re
import sys
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "..", "..", "..", "shared", "data",
                   "kgz_adm2_ocha_codab_2018_original.geojson")
OUT = os.path.join(HERE, "kg.geojson")

CITIES = [  # id, name, name_ru, name_ky, oblast, pcode, a point inside
    ("bishkek", "Bishkek", "Бишкек", "Бишкек", "Bishkek", "KG11000000000", (74.59, 42.87)),
    ("osh-city", "Osh (city)", "г.Ош", "Ош ш.", "Osh city", "KG21000000000", (72.80, 40.53)),
]


def rnd(p):
    return (round(p[0], 6), round(p[1], 6))


def clean_ring(ring):
    out = []
    for p in ring:
        q = rnd(p)
        if not out or out[-1] != q:
            out.append(q)
    if out[0] != out[-1]:
        out.append(out[0])
    return [list(p) for p in out]


def inside(pt, ring):
    x, y = pt
    c = False
    for i in range(len(ring) - 1):
        x1, y1 = ring[i]
        x2, y2 = ring[i + 1]
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            c = not c
    return c


def slug(name):
    s = name.lower().replace("(city)", "city")
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-")


def gap_rings(features):
    """Rings made of edges used by exactly one polygon: the outline and holes."""
    count = defaultdict(int)
    for f in features:
        for poly in f["geometry"]["coordinates"]:
            for ring in poly:
                for a, b in zip(ring, ring[1:]):
                    if a != b:
                        count[tuple(sorted((tuple(a), tuple(b))))] += 1
    adj = defaultdict(list)
    for (a, b), n in count.items():
        if n == 1:
            adj[a].append(b)
            adj[b].append(a)
    seen, rings = set(), []
    for start in adj:
        if start in seen:
            continue
        ring, prev, cur = [start], None, start
        seen.add(start)
        while True:
            nxt = [n for n in adj[cur] if n != prev and (n not in seen or (n == start and len(ring) > 2))]
            if not nxt:
                break
            if nxt[0] == start:
                ring.append(start)
                break
            ring.append(nxt[0])
            seen.add(nxt[0])
            prev, cur = cur, nxt[0]
        if ring[0] == ring[-1]:
            rings.append([list(p) for p in ring])
    return rings


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else SRC
    out = sys.argv[2] if len(sys.argv) > 2 else OUT
    with open(src, encoding="utf-8") as fh:
        data = json.load(fh)
    feats = []
    for f in data["features"]:
        polys = [[clean_ring(r) for r in poly] for poly in f["geometry"]["coordinates"]]
        f["geometry"]["coordinates"] = polys
        feats.append(f)
    result = []
    for f in feats:
        p = f["properties"]
        en = "At-Bashy" if p["ADM2_EN"] == "Ak-Bashy" else p["ADM2_EN"]
        ky = p["ADM2_KY"].replace("\u04ca", "\u04a3").strip()
        ru = p["ADM2_RU"].strip()
        if "(city)" in en and not ru.startswith("г."):
            ru = "г." + ru
        result.append({"type": "Feature", "properties": {
            "id": slug(en), "name": en, "name_ky": ky, "name_ru": ru,
            "oblast": p["ADM1_EN"], "pcode": p["ADM2_PCODE"]},
            "geometry": {"type": "MultiPolygon", "coordinates": f["geometry"]["coordinates"]}})
    rings = gap_rings(feats)
    for cid, en, ru, ky, oblast, pcode, pt in CITIES:
        best = [r for r in rings if inside(pt, r)]
        if not best:
            sys.exit(f"no gap ring around {en}")
        ring = min(best, key=len)  # the outline of the country also surrounds it
        result.append({"type": "Feature", "properties": {
            "id": cid, "name": en, "name_ky": ky, "name_ru": ru,
            "oblast": oblast, "pcode": pcode},
            "geometry": {"type": "Polygon", "coordinates": [ring]}})
    ids = [f["properties"]["id"] for f in result]
    assert len(ids) == len(set(ids)), "duplicate ids"
    result.sort(key=lambda f: f["properties"]["id"])
    with open(out, "w", encoding="utf-8") as fh:
        fh.write('{"type":"FeatureCollection","features":[\n')
        fh.write(",\n".join(json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in result))
        fh.write("\n]}\n")
    print(f"{out}: {len(result)} districts")


if __name__ == "__main__":
    main()
