"""Packaging metadata, read from settings.ini (the one place nbdev keeps it)."""
import shlex
from configparser import ConfigParser

import setuptools

config = ConfigParser(delimiters=["="])
config.read("settings.ini", encoding="utf-8")
cfg = config["DEFAULT"]

licenses = {"apache2": ("Apache-2.0", "License :: OSI Approved :: Apache Software License")}
statuses = ["1 - Planning", "2 - Pre-Alpha", "3 - Alpha", "4 - Beta", "5 - Production/Stable"]
license_name, license_classifier = licenses[cfg["license"]]


def words(key):
    "The whitespace-separated entries of a settings.ini key, honouring quotes."
    return shlex.split(cfg.get(key, ""))


setuptools.setup(
    name="batchbald_redux",
    version=cfg["version"],
    description=cfg["description"],
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    author=cfg["author"],
    author_email=cfg["author_email"],
    url=cfg["git_url"],
    license=license_name,
    keywords=cfg["keywords"],
    classifiers=[
        f"Development Status :: {statuses[int(cfg['status']) - 1]}",
        f"Intended Audience :: {cfg['audience']}",
        license_classifier,
        "Natural Language :: English",
        "Programming Language :: Python :: 3",
        "Topic :: Scientific/Engineering :: Artificial Intelligence",
    ],
    packages=setuptools.find_packages(include=[cfg["lib_name"], cfg["lib_name"] + ".*"]),
    include_package_data=True,
    python_requires=f">={cfg['min_python']}",
    install_requires=words("requirements"),
    extras_require={
        "dev": words("dev_requirements"),
        "docs": words("docs_requirements"),
        "experiment": words("experiment_requirements"),
        "mnist": words("mnist_requirements"),
        "test": words("test_requirements"),
    },
    entry_points={
        "console_scripts": words("console_scripts"),
        "nbdev": [f"{cfg['lib_name']}={cfg['lib_name']}._modidx:d"],
    },
    zip_safe=False,
)
