"""A few plainly fake demo products for demo businesses, so `/produk` shows something.

Every fourth demo business (by id) in a category listed in :data:`DEMO_PRODUCTS` gets
that category's products, published at once. Idempotent: a business that already has
products gets none. Descriptions start with the demo marker, like the businesses'.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.businesses.demo import DEMO_MARKER
from directory.models import Business, Category, utcnow
from directory.product_models import Product, ProductStatus

# category slug → (name, description, price in rupiah or None for "hubungi", unit)
DEMO_PRODUCTS: Final[dict[str, tuple[tuple[str, str, int | None, str], ...]]] = {
    "kafe-kopi": (
        ("Kopi Susu Gula Aren", "Es kopi susu dengan gula aren.", 22_000, "gelas"),
        ("Biji Kopi Robusta", "Biji kopi sangrai, bisa digiling.", 85_000, "250 g"),
    ),
    "warung-makan": (
        ("Keripik Singkong Balado", "Keripik pedas manis buatan sendiri.", 15_000, "bungkus"),
        ("Nasi Kotak", "Nasi, ayam goreng, sayur dan sambal.", 25_000, "kotak"),
    ),
    "katering": (("Paket Katering Harian", "Makan siang antar ke kantor.", None, "paket"),),
    "penjahit": (("Jahit Kebaya", "Jahit kebaya sesuai ukuran.", None, "potong"),),
}
EVERY: Final = 4


def seed_demo_products(session: Session) -> int:
    """Add the demo products (see the module docstring); returns how many were added."""
    slugs = list(DEMO_PRODUCTS)
    rows = session.execute(
        select(Business.id, Category.slug)
        .join(Category, Category.id == Business.primary_category_id)
        .where(Business.source == "demo", Category.slug.in_(slugs))
        .order_by(Business.id)
    ).all()
    stocked = set(session.scalars(select(Product.business_id).distinct()))
    added = 0
    for n, (business_id, slug) in enumerate(rows):
        if n % EVERY or business_id in stocked:
            continue
        for name, description, price, unit in DEMO_PRODUCTS[slug]:
            session.add(
                Product(
                    business_id=business_id, name=name,
                    description=f"{DEMO_MARKER} {description}", price_idr=price, unit=unit,
                    export_ready=False, status=ProductStatus.PUBLISHED,
                    created_at=utcnow(), updated_at=utcnow(),
                )
            )  # fmt: skip
            added += 1
    session.flush()
    return added
