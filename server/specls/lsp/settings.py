"""Client settings: `initializationOptions` and the `specls` configuration section."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class GeneratorSettings(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    allow: list[str] = Field(default_factory=list)


class Settings(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    trusted: bool = False
    generators: GeneratorSettings = Field(default_factory=GeneratorSettings)
    debounce: int = 50  # milliseconds (see Session.schedule)

    def allows(self, generator: str) -> bool:
        """External generators run only in a trusted workspace and when allowed."""
        return generator == "tangle" or (
            self.trusted and (not self.generators.allow or generator in self.generators.allow)
        )


def parse_settings(raw: Any, base: Settings | None = None) -> tuple[Settings, str | None]:
    """Settings from a client payload; bad values keep `base` and return an error message."""
    base = base or Settings()
    if raw is None:
        return base, None
    if not isinstance(raw, dict):
        return base, "specls settings must be an object"
    if "specls" in raw and isinstance(raw["specls"], dict):
        raw = raw["specls"]
    merged = {**base.model_dump(), **raw}
    try:
        return Settings.model_validate(merged), None
    except ValidationError as exc:
        err = exc.errors()[0]
        return base, f"invalid specls setting {'.'.join(map(str, err['loc']))}: {err['msg']}"
