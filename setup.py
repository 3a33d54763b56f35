"""Install metadata for Phoenix, the sandboxed bot-tournament judge."""
from setuptools import find_packages, setup

setup(
    name="phoenix-judge",
    version="0.1.0",
    description="A sandboxed judge for bot-vs-bot games: jails, sky protocol, terra games, tournaments.",
    python_requires=">=3.11",
    package_dir={"": "src"},
    packages=find_packages("src"),
    package_data={"phoenix_judge": ["config/schemas/*.json", "games/*/schemas/*.json", "games/schemas/*.json"]},
    install_requires=[
        "python-prctl>=1.8",
        "pyseccomp>=0.1.2",
        "jsonschema>=4.17",
        "tqdm>=4.60",
        "psutil>=5.9",
        "openskill>=5.0",
    ],
    extras_require={"test": ["pytest>=7"]},
    entry_points={"console_scripts": ["phoenix-judge=phoenix_judge.cli:main"]},
)
