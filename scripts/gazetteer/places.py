"""Hand-written parts of the gazetteer: aliases, townships and neighbourhoods.

Everything here is written for Dekat from public common knowledge (street addresses of
well-known landmarks, developers' published extents); ``build.py`` combines it with the
official names, codes and polygons of cahyadsn/wilayah_boundaries (MIT).

A township or neighbourhood's ``cover`` lists the kelurahan/desa codes whose union is its
border; ``drawn`` is a polygon (lon, lat ring) or ``line`` a street corridor (lon, lat
points buffered by ``width_m``) for places smaller than a kelurahan. Places marked
"approximate" follow the kelurahan holding their best-known addresses.
"""

from __future__ import annotations

from typing import Any

PROVINCES = {
    "31": ("dki-jakarta", "DKI Jakarta",
           ["Jakarta", "DKI", "Daerah Khusus Jakarta", "Daerah Khusus Ibukota Jakarta",
            "Provinsi DKI Jakarta"]),
    "36": ("banten", "Banten", ["Provinsi Banten"]),
    "32": ("jawa-barat", "Jawa Barat", ["Jabar", "West Java", "Provinsi Jawa Barat"]),
}
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
# Kota Tangerang Selatan first: its slugs were given first and must not change.
CITY_ORDER = ["31.71", "31.72", "31.73", "31.74", "31.75", "31.01", "36.74", "36.71", "36.03",
              "32.71", "32.01", "32.76", "32.75", "32.16"]
# Cities whose every kelurahan is in the gazetteer.
KELURAHAN_CITIES = ("36.74", "31.71", "31.72", "31.73", "31.74", "31.75", "31.01", "36.71",
                    "32.76")
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
    "Kelapa Gading": ["Klp Gading", "Kelapa Gading Jakarta"],
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
    "Lebak Bulus": ["Lebakbulus"], "Setia Budi": ["Setiabudi Kelurahan"],
}
# slug, name, kind, parent slug, aliases, geometry
PLACES: list[dict[str, Any]] = [
    # ---- townships (parent Kota Tangerang Selatan, where readers place them)
    dict(slug="bsd-city", name="BSD City", kind="township", parent="kota-tangerang-selatan",
         aliases=["BSD", "Bumi Serpong Damai", "BSD Serpong"],
         cover=["36.74.01.1002", "36.74.01.1003", "36.74.01.1004", "36.74.01.1005",
                "36.74.01.1007", "36.74.01.1008", "36.74.02.1007", "36.03.22.2006",
                "36.03.22.2009", "36.03.23.2005", "36.03.23.2006"]),
    dict(slug="alam-sutera", name="Alam Sutera", kind="township", parent="kota-tangerang-selatan",
         aliases=["Alsut", "Alam Sutra"],
         cover=["36.74.02.1001", "36.74.02.1002", "36.71.11.1011"]),
    dict(slug="gading-serpong", name="Gading Serpong", kind="township",
         parent="kota-tangerang-selatan", aliases=["GS", "Summarecon Serpong"],
         cover=["36.03.28.1004", "36.03.28.2006", "36.03.22.1004", "36.03.28.1001"]),
    dict(slug="bintaro-jaya", name="Bintaro Jaya", kind="township",
         parent="kota-tangerang-selatan", aliases=["Bintaro", "Bintaro Sektor"],
         cover=["31.74.10.1002", "36.74.05.1002", "36.74.05.1006", "36.74.03.1002",
                "36.74.03.1003", "36.74.03.1004", "36.74.03.1005", "36.74.03.1009",
                "36.74.03.1010", "36.74.03.1011"]),
    dict(slug="graha-raya", name="Graha Raya", kind="township", parent="kota-tangerang-selatan",
         aliases=["Graha Raya Bintaro", "Grahara"],  # approximate
         cover=["36.74.02.1003", "36.74.02.1005"]),
    # ---- Bintaro Jaya sectors (approximate: the kelurahan of each sector's main road)
    *[
        dict(slug=f"bintaro-sektor-{n}", name=f"Bintaro Sektor {n}", kind="neighbourhood",
             parent="bintaro-jaya",
             aliases=[f"Bintaro Jaya Sektor {n}", f"Sektor {n} Bintaro", f"Bintaro Sek {n}",
                      f"Bintaro {n}"] + extra,
             cover=[code])
        for n, code, extra in [
            (1, "31.74.10.1002", []), (2, "36.74.05.1002", []),
            (3, "36.74.03.1003", ["Bintaro Sektor 3A", "Bintaro 3A"]),
            (4, "36.74.03.1005", []), (5, "36.74.03.1011", []), (6, "36.74.03.1010", []),
            (7, "36.74.03.1004", []), (8, "36.74.03.1009", []), (9, "36.74.03.1002", []),
        ]
    ],
    # ---- neighbourhoods of Jakarta
    dict(slug="blok-m", name="Blok M", kind="neighbourhood", parent="kebayoran-baru",
         aliases=["Blok-M", "Blokm", "Melawai Blok M"], cover=["31.74.07.1001"]),
    dict(slug="scbd", name="SCBD", kind="neighbourhood", parent="kebayoran-baru",
         aliases=["Sudirman Central Business District", "Kawasan SCBD"],
         drawn=[(106.8052, -6.2302), (106.8128, -6.2302), (106.8128, -6.2212),
                (106.8075, -6.2212), (106.8052, -6.2250), (106.8052, -6.2302)]),
    dict(slug="sudirman", name="Sudirman", kind="neighbourhood", parent="dki-jakarta",
         aliases=["Jalan Sudirman", "Jl. Sudirman", "Jend. Sudirman", "Sudirman Jakarta",
                  "Jalan Jenderal Sudirman"],
         line=[(106.8230, -6.1950), (106.8226, -6.2010), (106.8192, -6.2085),
               (106.8135, -6.2195), (106.8035, -6.2250)], width_m=350),
    dict(slug="thamrin", name="Thamrin", kind="neighbourhood", parent="jakarta-pusat",
         aliases=["Jalan Thamrin", "Jl. Thamrin", "MH Thamrin", "Jalan MH Thamrin"],
         line=[(106.8228, -6.1760), (106.8230, -6.1860), (106.8230, -6.1950)], width_m=300),
    dict(slug="kuningan", name="Kuningan", kind="neighbourhood", parent="jakarta-selatan",
         aliases=["Mega Kuningan", "Rasuna Said", "Kuningan Jakarta"],
         cover=["31.74.02.1008", "31.74.02.1003", "31.74.03.1005"]),
    dict(slug="senayan", name="Senayan", kind="neighbourhood", parent="dki-jakarta",
         aliases=["GBK", "Gelora Bung Karno", "Kawasan Senayan"],
         cover=["31.71.07.1001", "31.74.07.1006"]),
    dict(slug="kemang", name="Kemang", kind="neighbourhood", parent="mampang-prapatan",
         aliases=["Kemang Raya", "Kemang Jakarta", "Kemang Jaksel"],
         cover=["31.74.03.1002", "31.74.03.1003"]),
    dict(slug="pondok-indah", name="Pondok Indah", kind="neighbourhood", parent="kebayoran-lama",
         aliases=["Pd. Indah", "Pondokindah"], cover=["31.74.05.1002"]),
    dict(slug="cipete", name="Cipete", kind="neighbourhood", parent="jakarta-selatan",
         aliases=["Cipete Raya"], cover=["31.74.06.1005", "31.74.07.1010"]),
    dict(slug="gandaria", name="Gandaria", kind="neighbourhood", parent="jakarta-selatan",
         aliases=["Gandaria City", "Gancit"], cover=["31.74.06.1004", "31.74.07.1009"]),
    dict(slug="pantai-indah-kapuk", name="Pantai Indah Kapuk", kind="neighbourhood",
         parent="penjaringan", aliases=["PIK", "PIK 1", "Pantai Indah Kapuk 1"],
         cover=["31.72.01.1002", "31.72.01.1003"]),
    dict(slug="sunter", name="Sunter", kind="neighbourhood", parent="tanjung-priok",
         aliases=["Sunter Jakarta"], cover=["31.72.02.1002", "31.72.02.1006"]),
    dict(slug="kota-tua", name="Kota Tua", kind="neighbourhood", parent="jakarta-barat",
         aliases=["Kota Tua Jakarta", "Old Town Jakarta", "Batavia"],
         cover=["31.73.03.1008", "31.73.04.1010"]),
    dict(slug="pondok-cabe", name="Pondok Cabe", kind="neighbourhood", parent="pamulang",
         aliases=["Pd. Cabe", "Pondokcabe"], cover=["36.74.06.1004", "36.74.06.1005"]),
]
