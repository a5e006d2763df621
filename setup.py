"""Packaging beyond what pyproject.toml can say: ship templates/, static/ and migrations/.

The product's owner asked for those folders at the top of the repository, beside app/. An
installed copy has no repository, so the build maps them into the distribution as the data-only
packages ``app.templates``, ``app.static`` and ``app.migrations``; app/core/files.py finds them
there (or in the checkout). pyproject.toml keeps the metadata and dependencies; the package list
lives here because ``[tool.setuptools] packages`` would override it. Folders of data files
(templates/_partials, surveys/questionnaires, ...) are listed as namespace packages so that
setuptools ships their files as the packages' data.
"""

from setuptools import find_namespace_packages, setup

# Top-level folder -> the package name it is installed under.
SHIPPED_FOLDERS = {
    "app.templates": "templates",
    "app.static": "static",
    "app.migrations": "migrations",
}
NOT_PACKAGES = ["*__pycache__*"]

code = find_namespace_packages(include=["app*", "surveys*", "forum*"], exclude=NOT_PACKAGES)
shipped = [
    f"{name}.{sub}" if sub else name
    for name, folder in SHIPPED_FOLDERS.items()
    for sub in ["", *find_namespace_packages(where=folder, exclude=NOT_PACKAGES)]
]

setup(
    packages=[*code, *shipped],
    package_dir=SHIPPED_FOLDERS,
    py_modules=["config", "wsgi"],
    package_data={
        # Every file under the shipped folders: templates, vendored fonts and images, Alembic's
        # env.py, script.py.mako, alembic.ini and versions/*.py.
        **{name: ["*"] for name in shipped},
        # The packages' own data: questionnaires, codebooks, rules, default authority pages,
        # the benchmarking schema (a link to docs/benchmark-schema.json).
        "": ["*.toml", "*.txt", "*.csv", "*.po", "*.pot", "*.mo", "*.json"],
    },
    exclude_package_data={"": ["*.pyc"]},
)
