"""Imports every table module, so SQLModel.metadata is complete for Alembic and for tests."""

from etalase.platform.content import models as content_models
from etalase.tenants import models as tenant_models

__all__ = ["content_models", "tenant_models"]
