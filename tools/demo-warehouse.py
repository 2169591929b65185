#!/usr/bin/env python3
"""Writes the demo warehouse in assets/demo/ (stock.csv, orders.json).

Deterministic (seeded), so running it again gives the same files. The demo
(`tote demo`) compiles these files in; rerun this only to change them.
"""
import json, random, pathlib

rnd = random.Random(2026)
out = pathlib.Path(__file__).resolve().parent.parent / "assets" / "demo"
out.mkdir(parents=True, exist_ok=True)

def ean13(body12):
    s = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body12))
    return body12 + str((10 - s % 10) % 10)

adjectives = ["Enamel", "Steel", "Glass", "Bamboo", "Cotton", "Linen", "Oak", "Copper", "Clay", "Wool",
              "Cork", "Slate"]
nouns = [("mug", False), ("bowl", False), ("spoon", False), ("towel", False), ("jar", False), ("lamp", False),
         ("tray", False), ("basket", False), ("tea", True), ("coffee", True), ("honey", True), ("jam", True),
         ("candle", False), ("brush", False), ("vase", False), ("board", False), ("cup", False),
         ("rice", True), ("oil", True), ("soap", False)]

# 6 zones x 10 aisles x 5 slots = 300 locations, walked in a serpentine.
locations = []
for z, zone in enumerate("ABCDEF"):
    for aisle in range(1, 11):
        slots = range(1, 6) if aisle % 2 else range(5, 0, -1)
        for k, slot in enumerate(slots):
            code = f"{zone}-{aisle:02d}-{slot:02d}"
            walk = z * 1000 + aisle * 10 + k
            check = f"{(z * 37 + aisle * 11 + slot * 7) % 100:02d}"
            locations.append((code, walk, check))

skus = []
for i in range(1, 241):
    adj = adjectives[i % len(adjectives)]
    noun, food = nouns[(i * 7) % len(nouns)]
    size = rnd.choice(["S", "M", "L", "250 g", "500 ml", "1 kg"]) if food else rnd.choice(["S", "M", "L"])
    skus.append((f"SKU-{i:05d}", f"{adj} {noun} {size}", ean13(f"860{i:09d}"), food))

cities = [("Beograd", "11000", "Knez Mihailova"), ("Novi Sad", "21000", "Zmaj Jovina"),
          ("Niš", "18000", "Obrenovićeva"), ("Kragujevac", "34000", "Kralja Petra I"),
          ("Subotica", "24000", "Korzo")]
people = ["Ana Anić", "Marko Marić", "Jelena Ilić", "Nikola Petrović", "Milica Jović", "Stefan Lukić",
          "Ivana Kostić", "Luka Pavlović"]
priorities = ["urgent"] * 3 + ["high"] * 8 + ["normal"] * 20 + ["low"] * 5
rnd.shuffle(priorities)
orders = []
for n, prio in enumerate(priorities, 1):
    city, postal, street = rnd.choice(cities)
    lines = {}
    for _ in range(rnd.randint(1, 4)):
        sku = rnd.choice(skus[:200])[0]
        lines[sku] = rnd.randint(1, 3)
    orders.append({
        "request_id": f"demo-{n:04d}",
        "external_ref": f"WEB-{10000 + n}",
        "priority": prio,
        "ship_to": {"contact_name": rnd.choice(people), "street": f"{street} {rnd.randint(1, 60)}",
                    "city": city, "postal_code": postal, "country": "RS", "phone": ""},
        "lines": [{"sku": s, "quantity": q, "warehouse": "BG1"} for s, q in lines.items()],
    })
demand = {}
for o in orders:
    for l in o["lines"]:
        demand[l["sku"]] = demand.get(l["sku"], 0) + l["quantity"]
rows = []
def lot_row(sku, loc, month):
    code, name, barcode, food = sku
    qty = max(rnd.randint(5, 40), demand.get(code, 0) + 2)
    received = f"2026-{month:02d}-{rnd.randint(1, 28):02d}T07:00:00Z"
    lot = expiry = ""
    if food:
        lot = f"L-{month:02d}{rnd.randint(10, 99)}"
        expiry = f"2027-{rnd.randint(1, 12):02d}-28"
    rows.append(["BG1", loc[0], code, qty, received, lot, expiry, loc[1], loc[2], name, barcode])

for n, sku in enumerate(skus):
    lot_row(sku, locations[n], rnd.randint(1, 6))
# The other 60 locations hold a second, newer lot of the first 60 SKUs.
for n, loc in enumerate(locations[240:]):
    lot_row(skus[n], loc, rnd.randint(7, 10))

with open(out / "stock.csv", "w") as f:
    f.write("warehouse,location,sku,quantity,received_at,lot,expiry,walk_order,check_digits,name,barcode\n")
    for r in rows:
        f.write(",".join(str(v) for v in r) + "\n")

with open(out / "orders.json", "w") as f:
    json.dump(orders, f, ensure_ascii=False, indent=1)
    f.write("\n")
print(f"{len(locations)} locations, {len(skus)} SKUs, {len(rows)} stock rows, {len(orders)} orders -> {out}")
