"""Maps the top-level folders the product owner asked for onto one import name, ``etalase``.

``platform/`` must never be importable as ``platform`` (it would shadow the standard library), so
it has no ``__init__.py`` at its top and is installed as ``etalase.platform``. Everything else about
the project lives in pyproject.toml; see shared/STYLE.md for the layouts that failed.
"""

from setuptools import find_namespace_packages, setup

FOLDERS = {
    "etalase.platform": "platform",
    "etalase.tenants": "tenants",
    "etalase.themes": "themes",
    "etalase.migrations": "alembic",
}


def _packages() -> list[str]:
    found = []
    for name, folder in FOLDERS.items():
        found.append(name)
        found += [f"{name}.{sub}" for sub in find_namespace_packages(folder, exclude=["*__pycache__*"])]
    return found


setup(
    packages=_packages(),
    package_dir=FOLDERS,
)
