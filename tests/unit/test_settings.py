"""How the worker and the CLI reach Temporal: the standard TEMPORAL_* variables and profiles."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from temporalio.service import TLSConfig

import settings
from settings import LOCAL_TEMPORAL, Settings, temporal_connect_args


@pytest.fixture(autouse=True)
def no_temporal_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in [k for k in os.environ if k.startswith("TEMPORAL_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("TEMPORAL_CONFIG_FILE", str(tmp_path / "absent.toml"))


def test_nothing_set_means_the_local_dev_server() -> None:
    assert temporal_connect_args() == {"target_host": LOCAL_TEMPORAL}


def test_an_empty_variable_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    # What compose passes for an optional setting left out of .env: `${TEMPORAL_API_KEY:-}`.
    for key in ("TEMPORAL_API_KEY", "TEMPORAL_TLS", "TEMPORAL_TLS_CLIENT_CERT_PATH"):
        monkeypatch.setenv(key, "")
    monkeypatch.setenv("TEMPORAL_ADDRESS", "temporal:7233")
    assert temporal_connect_args() == {"target_host": "temporal:7233"}


def test_an_api_key_turns_tls_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEMPORAL_ADDRESS", "ovop.a1b2c.tmprl.cloud:7233")
    monkeypatch.setenv("TEMPORAL_NAMESPACE", "ovop.a1b2c")
    monkeypatch.setenv("TEMPORAL_API_KEY", "rahasia")
    assert temporal_connect_args() == {
        "target_host": "ovop.a1b2c.tmprl.cloud:7233",
        "namespace": "ovop.a1b2c",
        "api_key": "rahasia",
        "tls": True,
    }


def test_mtls_certificates_are_read_from_their_paths(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("ca.pem", "worker.pem", "worker.key"):
        (tmp_path / name).write_text(f"-- {name} --")
    monkeypatch.setenv("TEMPORAL_TLS_SERVER_CA_CERT_PATH", str(tmp_path / "ca.pem"))
    monkeypatch.setenv("TEMPORAL_TLS_CLIENT_CERT_PATH", str(tmp_path / "worker.pem"))
    monkeypatch.setenv("TEMPORAL_TLS_CLIENT_KEY_PATH", str(tmp_path / "worker.key"))
    monkeypatch.setenv("TEMPORAL_TLS_SERVER_NAME", "temporal.kemenperin.go.id")

    tls = temporal_connect_args()["tls"]
    assert isinstance(tls, TLSConfig)
    assert tls.server_root_ca_cert == b"-- ca.pem --"
    assert (tls.client_cert, tls.client_private_key) == (b"-- worker.pem --", b"-- worker.key --")
    assert tls.domain == "temporal.kemenperin.go.id"


def test_a_profile_from_the_config_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "temporal.toml"
    config.write_text(
        '[profile.produksi]\naddress = "temporal.kemenperin.go.id:7233"\nnamespace = "ovop"\n'
        '[profile.produksi.tls]\nserver_name = "temporal.kemenperin.go.id"\n'
    )
    monkeypatch.setenv("TEMPORAL_CONFIG_FILE", str(config))
    monkeypatch.setenv("TEMPORAL_PROFILE", "produksi")

    args = temporal_connect_args()
    assert (args["target_host"], args["namespace"]) == ("temporal.kemenperin.go.id:7233", "ovop")
    assert isinstance(args["tls"], TLSConfig) and args["tls"].domain == "temporal.kemenperin.go.id"


def test_an_empty_ovop_variable_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    from settings import Settings

    monkeypatch.setenv("OVOP_SMTP_USERNAME", "")
    monkeypatch.setenv("OVOP_SMTP_CA_FILE", "")
    monkeypatch.setenv("OVOP_SMTP_STARTTLS", "true")
    settings = Settings(_env_file=None)
    assert (settings.smtp_username, settings.smtp_ca_file) == (None, None)
    assert settings.smtp_starttls is True


def test_the_local_stack_is_found_from_any_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`ovop` run outside the checkout reads the records and codec keys `make run` keeps in
    the checkout's var/, and makes no var/ where it is run."""
    for key in ("OVOP_VAR", "OVOP_DATABASE_URL", "OVOP_CODEC_KEYS_FILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(tmp_path)
    checkout_var = Path(settings.__file__).resolve().parent / "var"
    found = Settings()
    assert found.codec_keys_file == checkout_var / "codec-keys.json"
    assert found.database_url == f"sqlite+aiosqlite:///{checkout_var / 'ovop.db'}"
    assert not (tmp_path / "var").exists()

    monkeypatch.setenv("OVOP_VAR", str(tmp_path / "elsewhere"))
    moved = Settings()
    assert moved.codec_keys_file == tmp_path / "elsewhere" / "codec-keys.json"
    assert moved.database_url.endswith(f"{tmp_path / 'elsewhere' / 'ovop.db'}")
