"""connect() on the providers: the vendors' token variables and env file, and an explicit token over them."""

from __future__ import annotations

import annobridge


def test_connect_reads_label_studio_token_from_its_environment(monkeypatch):
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", "from-env")
    backend = annobridge.connect("labelstudio+http://127.0.0.1:1")
    assert backend._token == "from-env"
    assert "from-env" not in repr(backend)


def test_connect_reads_supervisely_token_from_its_env_file(monkeypatch, tmp_path):
    monkeypatch.delenv("API_TOKEN", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "supervisely.env").write_text("SERVER_ADDRESS=http://127.0.0.1:8000\nAPI_TOKEN=from-file\n")
    from annobridge_supervisely.settings import SuperviselySettings

    monkeypatch.setitem(SuperviselySettings.model_config, "env_file", tmp_path / "supervisely.env")
    backend = annobridge.connect("supervisely+http://127.0.0.1:8000")
    assert backend._token == "from-file"


def test_an_explicit_token_wins_over_the_environment(monkeypatch):
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", "from-env")
    assert annobridge.connect("labelstudio+http://127.0.0.1:1", token="explicit")._token == "explicit"
