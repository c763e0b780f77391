"""Imports every table module, so SQLModel.metadata is complete for Alembic and for tests."""

from etalase.platform.accounts import models as account_models
from etalase.platform.analytics import models as analytics_models
from etalase.platform.aspirations import models as aspiration_models
from etalase.platform.budget import models as budget_models
from etalase.platform.content import models as content_models
from etalase.platform.discussion import models as discussion_models
from etalase.platform.importers import models as import_models
from etalase.platform.media_library import models as media_models
from etalase.platform.potensi import models as potensi_models
from etalase.platform.profile import models as profile_models
from etalase.platform.site import models as site_models
from etalase.tenants import models as tenant_models

__all__ = [
    "account_models",
    "analytics_models",
    "aspiration_models",
    "budget_models",
    "content_models",
    "discussion_models",
    "import_models",
    "media_models",
    "potensi_models",
    "profile_models",
    "site_models",
    "tenant_models",
]
