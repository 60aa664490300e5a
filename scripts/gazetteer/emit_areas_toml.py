"""One-off: write data/areas.toml from areas.json (computed by compute.py)."""
import json, re, unicodedata

d = json.load(open("/tmp/dekat_areas/areas.json"))
by_code = {r["code"]: r for r in d}

def kebab(s):
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-")

PROV = {"31": ("dki-jakarta", "DKI Jakarta", ["Jakarta", "DKI", "Daerah Khusus Jakarta", "Daerah Khusus Ibukota Jakarta", "Provinsi DKI Jakarta"]),
        "36": ("banten", "Banten", ["Provinsi Banten"]),
        "32": ("jawa-barat", "Jawa Barat", ["Jabar", "West Java", "Provinsi Jawa Barat"])}
CITY_ALIASES = {
    "31.71": ["Jakpus", "Central Jakarta"],
    "31.72": ["Jakut", "North Jakarta"],
    "31.73": ["Jakbar", "West Jakarta"],
    "31.74": ["Jaksel", "South Jakarta"],
    "31.75": ["Jaktim", "East Jakarta"],
    "31.01": ["Pulau Seribu", "Thousand Islands", "Kep. Seribu"],
    "32.71": ["Bogor", "Bogor City"],
    "32.01": ["Kab. Bogor", "Kab Bogor", "Bogor Regency"],
    "32.76": ["Depok"],
    "36.71": ["Tangerang", "Tangerang City"],
    "36.03": ["Kab. Tangerang", "Kab Tangerang", "Tangerang Regency"],
    "36.74": ["Tangerang Selatan", "Tangsel", "South Tangerang", "Kota Tangsel"],
    "32.75": ["Bekasi", "Bekasi City"],
    "32.16": ["Kab. Bekasi", "Kab Bekasi", "Bekasi Regency"],
}
CITY_ORDER = ["31.71", "31.72", "31.73", "31.74", "31.75", "31.01", "36.74", "36.71", "36.03",
              "32.71", "32.01", "32.76", "32.75", "32.16"]
KEC_ALIASES = {
    "Ciputat Timur": ["Ciputim"], "Pondok Aren": ["Pd. Aren", "Pondokaren"],
    "Pulogadung": ["Pulo Gadung"], "Kramatjati": ["Kramat Jati"],
    "Pal Merah": ["Palmerah"], "Gunungputri": ["Gunung Putri"], "Gunungsindur": ["Gunung Sindur"],
    "Bojonggede": ["Bojong Gede"], "Parungpanjang": ["Parung Panjang"],
    "Tajurhalang": ["Tajur Halang"], "Medansatria": ["Medan Satria"],
    "Bantargebang": ["Bantar Gebang"], "Pondokgede": ["Pondok Gede"], "Jatiasih": ["Jati Asih"],
    "Jatisampurna": ["Jati Sampurna"], "Mustikajaya": ["Mustika Jaya"],
    "Pondokmelati": ["Pondok Melati"], "Rawalumbu": ["Rawa Lumbu"], "Jatiuwung": ["Jati Uwung"],
    "Batuceper": ["Batu Ceper"], "Muaragembong": ["Muara Gembong"],
    "Cabangbungin": ["Cabang Bungin"], "Bojongmangu": ["Bojong Mangu"],
    "Klapanunggal": ["Kelapa Nunggal"], "Setiabudi": ["Setia Budi"], "Tanjung Priok": ["Priok"],
    "Pancoran Mas": ["Pancoranmas"], "Babakan Madang": ["Babakanmadang"],
    "Duren Sawit": ["Durensawit"], "Taman Sari": ["Tamansari"], "Kalideres": ["Kali Deres"],
    "Pasar Kemis": ["Pasarkemis"], "Teluknaga": ["Teluk Naga"], "Sindang Jaya": ["Sindangjaya"],
    "Karang Tengah": ["Karangtengah"], "Kelapa Dua": ["Klapa Dua"],
}
KEL_ALIASES = {
    "Rawabuntu": ["Rawa Buntu"], "Jurangmangu Barat": ["Jurang Mangu Barat"],
    "Jurangmangu Timur": ["Jurang Mangu Timur"], "Pondok Cabe Udik": ["Pd. Cabe Udik"],
    "Pondok Cabe Ilir": ["Pd. Cabe Ilir"], "Cireundeu": ["Cirendeu"], "Keranggan": ["Kranggan"],
    "Bakti Jaya": ["Baktijaya"], "Pondok Ranji": ["Pd. Ranji"], "Pondok Betung": ["Pd. Betung"],
    "Bambu Apus": ["Bambuapus"], "Rawa Mekar Jaya": ["Rawamekar Jaya"],
    "Pondok Pucung": ["Pd. Pucung"],
    "Pondok Karya": ["Pd. Karya"], "Pondok Jaya": ["Pd. Jaya"], "Sawah Baru": ["Sawahbaru"],
    "Pakujaya": ["Paku Jaya"], "Pakualam": ["Paku Alam"],
}
TOWNSHIPS = [
    # slug, name, aliases, lat, lon, radius_m, note
    ("bsd-city", "BSD City", ["BSD", "Bumi Serpong Damai", "BSD Serpong"], -6.3, 106.66, 4000,
     "Lengkong Gudang, Lengkong Wetan, Lengkong Karya, Cilenggang, Rawa Mekar Jaya, Rawabuntu "
     "(Serpong/Serpong Utara) and Pagedangan/Cisauk in Kab. Tangerang; master plan ~6,000 ha"),
    ("alam-sutera", "Alam Sutera", ["Alsut", "Alam Sutra"], -6.24, 106.65, 2000,
     "Pakualam, Pakulonan (Serpong Utara) and Panunggangan Timur (Pinang, Kota Tangerang); ~1,000 ha"),
    ("gading-serpong", "Gading Serpong", ["GS", "Summarecon Serpong"], -6.24, 106.63, 2500,
     "mostly Kelapa Dua and Pagedangan (Kab. Tangerang: Pakulonan Barat, Curug Sangereng, Medang); "
     "the centroid lies in Kab. Tangerang; ~2,000 ha"),
    ("bintaro-jaya", "Bintaro Jaya", ["Bintaro"], -6.27, 106.73, 3000,
     "Pondok Aren (Jurangmangu, Pondok Karya, Pondok Jaya, Pondok Pucung, Parigi) and edges of "
     "Ciputat Timur and Pesanggrahan (Jakarta Selatan); ~2,300 ha"),
]

def city_slug_name(code, raw):
    if raw.startswith("Kota Administrasi "):
        n = raw.removeprefix("Kota Administrasi ")
        return kebab(n), n, "city", [raw]
    if raw.startswith("Kabupaten Administrasi "):
        n = raw.removeprefix("Kabupaten Administrasi ")
        return kebab(n), n, "regency", [raw]
    kind = "city" if raw.startswith("Kota ") else "regency"
    return kebab(raw), raw, kind, []

def q(s):
    return json.dumps(s, ensure_ascii=False)

entries = []  # dicts
used = set()
for pc in ["31", "36", "32"]:
    slug, name, al = PROV[pc]
    r = by_code[pc]
    entries.append(dict(slug=slug, name=name, kind="province", aliases=al, lat=r["lat"], lon=r["lon"], radius_m=r["radius_m"], code=pc))
    used.add(slug)
city_slug = {}
for cc in CITY_ORDER:
    r = by_code[cc]
    slug, name, kind, extra = city_slug_name(cc, r["name"])
    city_slug[cc] = slug
    used.add(slug)
    entries.append(dict(slug=slug, name=name, kind=kind, parent=PROV[cc[:2]][0], aliases=extra + CITY_ALIASES[cc],
                        lat=r["lat"], lon=r["lon"], radius_m=r["radius_m"], code=cc))
for t in TOWNSHIPS:
    used.add(t[0])
kecs = sorted((r for r in d if r["level"] == "kecamatan"), key=lambda r: (not r["code"].startswith("36.74."), r["code"]))
kec_slug = {}
kec_entries = []
for r in kecs:
    s = kebab(r["name"])
    if s in used:
        s = f"{s}-{city_slug[r['code'][:5]]}"
    assert s not in used, s
    used.add(s); kec_slug[r["code"]] = s
    kec_entries.append(dict(slug=s, name=r["name"], kind="kecamatan", parent=city_slug[r["code"][:5]],
                            aliases=KEC_ALIASES.get(r["name"], []), lat=r["lat"], lon=r["lon"], radius_m=r["radius_m"], code=r["code"]))
kels = sorted((r for r in d if r["level"] == "kelurahan_desa"), key=lambda r: r["code"])
kel_entries = []
for r in kels:
    s = kebab(r["name"])
    if s in used:
        s = "kelurahan-" + s
    assert s not in used, s
    used.add(s)
    kel_entries.append(dict(slug=s, name=r["name"], kind="kelurahan", parent=kec_slug[r["code"][:8]],
                            aliases=KEL_ALIASES.get(r["name"], []), lat=r["lat"], lon=r["lon"], radius_m=r["radius_m"], code=r["code"]))
assert len(kel_entries) == 54

def fmt(e, comment=None):
    lines = ["[[area]]"]
    if comment:
        import textwrap
        lines[0:0] = ["# " + c for c in textwrap.wrap(comment, 94)]
    lines.append(f"slug = {q(e['slug'])}")
    lines.append(f"name = {q(e['name'])}")
    lines.append(f"kind = {q(e['kind'])}")
    if e.get("parent"):
        lines.append(f"parent = {q(e['parent'])}")
    lines.append("aliases = [" + ", ".join(q(a) for a in e["aliases"]) + "]")
    lines.append(f"lat = {e['lat']:.5f}")
    lines.append(f"lon = {e['lon']:.5f}")
    lines.append(f"radius_m = {int(round(e['radius_m'], -1))}")
    if e.get("code"):
        lines.append(f"code = {q(e['code'])}")
    return "\n".join(lines)

HEADER = open("/tmp/dekat_areas/header.txt").read()
out = [HEADER.rstrip("\n")]
out.append("\n# ---------------------------------------------------------------- provinces")
out += [fmt(e) for e in entries[:3]]
out.append("\n# ------------------------------------------------ cities and regencies")
out += [fmt(e) for e in entries[3:]]
tangsel_kec = [e for e in kec_entries if e["code"].startswith("36.74.")]
out.append("\n# ---------------------- Kota Tangerang Selatan: 7 kecamatan and their 54 kelurahan")
for k in tangsel_kec:
    out.append(fmt(k))
    out += [fmt(e) for e in kel_entries if e["code"].startswith(k["code"] + ".")]
out.append("\n# ---------------------------------------------------------------- townships\n"
           "# Developer townships that cross official borders. Centroid and radius are hand-placed\n"
           "# from public maps and the developers' published land areas, then checked against the\n"
           "# kelurahan polygons they cover (listed on each entry). No official code. All four hang\n"
           "# under kota-tangerang-selatan, where readers place them, even where the centroid lies\n"
           "# just over the border (Gading Serpong is mostly in Kab. Tangerang).")
for slug, name, al, lat, lon, rad, note in TOWNSHIPS:
    out.append(fmt(dict(slug=slug, name=name, kind="township", parent="kota-tangerang-selatan", aliases=al, lat=lat, lon=lon, radius_m=rad), comment="covers " + note))
out.append("\n# ---------------------------------- kecamatan of the rest of Greater Jakarta")
out += [fmt(e) for e in kec_entries if not e["code"].startswith("36.74.")]
text = "\n\n".join(out) + "\n"
text = text.replace("\n\n\n#", "\n\n#")
open("/work/main/data/areas.toml", "w").write(text)
print(len(entries) + len(kec_entries) + len(kel_entries) + len(TOWNSHIPS))
