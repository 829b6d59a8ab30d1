"""Backend URL parsing and connect()'s errors."""

from __future__ import annotations

import pytest

import annobridge
from annobridge import BackendURL, InvalidURL, ProviderNotInstalled, UnknownProvider
from annobridge import plugins


@pytest.mark.parametrize(
    ("url", "provider", "http_url"),
    [
        ("labelstudio://ls.example.com", "labelstudio", "https://ls.example.com"),
        ("labelstudio+http://127.0.0.1:8080", "labelstudio", "http://127.0.0.1:8080"),
        ("labelstudio+https://ls.example.com:8443/ls/", "labelstudio", "https://ls.example.com:8443/ls"),
        ("supervisely://app.supervisely.com", "supervisely", "https://app.supervisely.com"),
        ("supervisely+http://127.0.0.1:8000", "supervisely", "http://127.0.0.1:8000"),
        ("SUPERVISELY+HTTP://[::1]:8000", "supervisely", "http://[::1]:8000"),
    ],
)
def test_good_urls(url, provider, http_url):
    parsed = BackendURL.parse(url)
    assert (parsed.provider, parsed.http_url) == (provider, http_url)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("127.0.0.1:8080", "not a backend URL"),
        ("labelstudio+ftp://host", "transport must be http or https"),
        ("labelstudio+http://host:99999", "not a valid URL"),
        ("labelstudio+http://host?token=abc", "no query string"),
    ],
)
def test_bad_urls(url, message):
    with pytest.raises(InvalidURL, match=message):
        BackendURL.parse(url)


def test_a_token_in_the_url_is_refused_and_not_repeated():
    with pytest.raises(InvalidURL) as exc:
        BackendURL.parse("labelstudio+http://admin:s3cr3t-token@127.0.0.1:8080")
    assert "s3cr3t-token" not in str(exc.value)
    assert "never read from the URL" in str(exc.value)


def test_unknown_scheme_lists_the_known_ones():
    with pytest.raises(UnknownProvider) as exc:
        annobridge.connect("cvat+http://127.0.0.1:8080")
    message = str(exc.value)
    assert "'cvat+http'" in message and "labelstudio+http" in message and "supervisely" in message


def test_known_scheme_without_its_plugin_names_the_package(monkeypatch):
    pm = plugins.make_plugin_manager(entry_points=False)
    registry = plugins.build_registry(pm)
    monkeypatch.setattr(plugins, "plugin_manager", lambda: pm)
    monkeypatch.setattr(plugins, "registry", lambda: registry)
    with pytest.raises(ProviderNotInstalled, match="pip install annobridge-supervisely"):
        annobridge.connect("supervisely+http://127.0.0.1:8000")
