"""One-off: derive names/codes/centroids/radii from wilayah_boundaries polygons."""
import gzip, json, math, csv, sys
from shapely.geometry import shape
from shapely.ops import transform, unary_union

R = 6_371_008.8
D = "/work/shared/data/indonesia_admin_boundaries/"

def to_ea(x, y, z=None):
    # Lambert cylindrical equal-area on the sphere: exact areas.
    import numpy as np
    x = np.asarray(x); y = np.asarray(y)
    return (R * np.radians(x), R * np.sin(np.radians(y)))

def from_ea(x, y, z=None):
    import numpy as np
    return (np.degrees(np.asarray(x) / R), np.degrees(np.arcsin(np.asarray(y) / R)))

def load(name):
    with gzip.open(D + name) as f:
        return json.load(f)["features"]

GJ = ["31.71","31.72","31.73","31.74","31.75","31.01","32.71","32.01","32.76","36.71","36.03","36.74","32.75","32.16"]
out = {}
kab = load("kabkota_jakarta_banten_jabar.geojson.gz")
kec = load("kecamatan_jakarta_banten_jabar.geojson.gz")
kel = load("kelurahan_desa_jakarta_banten_jabar.geojson.gz")
def rec(f):
    g = transform(to_ea, shape(f["geometry"]))
    p = f["properties"]
    return dict(code=p["kode"], name=p["nama"], level=p["level"], lat=p["centroid_lat"], lon=p["centroid_lng"],
                area_m2=g.area, radius_m=math.sqrt(g.area/math.pi), geom=g)
rows = []
for f in kab:
    rows.append(rec(f))
provs = {}
for r in rows:
    provs.setdefault(r["code"][:2], []).append(r["geom"])
res = []
for pc, gs in sorted(provs.items()):
    u = unary_union(gs)
    c = transform(from_ea, u.centroid)
    res.append(dict(code=pc, name=pc, level="province", lat=c.y, lon=c.x, area_m2=u.area, radius_m=math.sqrt(u.area/math.pi)))
for r in rows:
    if r["code"] in GJ:
        res.append({k:v for k,v in r.items() if k!="geom"})
for f in kec:
    if f["properties"]["kode"][:5] in GJ:
        r = rec(f); r.pop("geom"); res.append(r)
for f in kel:
    if f["properties"]["kode"].startswith("36.74."):
        r = rec(f); r.pop("geom"); res.append(r)
json.dump(res, open("/tmp/dekat_areas/areas.json","w"), indent=0)
print(len(res))
