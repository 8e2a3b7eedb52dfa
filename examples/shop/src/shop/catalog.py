"""Products the shop sells. Generated from specs/catalog.spec.md#product."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    price_cents: int

    def label(self) -> str:
        euros, cents = divmod(self.price_cents, 100)
        return f"{self.name} — {euros},{cents:02d} €"


CATALOG = {
    "tea": Product("tea", "Thé vert", 450),
    "mug": Product("mug", "Mug ☕", 1250),
}
