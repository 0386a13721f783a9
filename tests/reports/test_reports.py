"""Compliance reports (HTML and PDF) and evidence packs that verify offline — and that
stop verifying when anything in them is changed, removed or signed by another key."""

import hashlib
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bastion.checkpoint import NoteSigner
from bastion.reports.verify import MANIFEST, PackError, verify_pack
from tests.compliance.test_routes import ANSWERS, answers, fairness_evidence
from tests.inventory.conftest import Inventory, app_runtime

HOSTILE = "<script>alert(1)</script>"


@pytest.fixture
def system(client: TestClient) -> dict[str, Any]:
    inv = Inventory.create(client, "Reports")
    system = inv.new("systems", name=f"credit {HOSTILE}", purpose="Score credit applications.")
    model = inv.new("models", name="scorer", system_id=system["id"])
    version = inv.new("model-versions", model_id=model["id"], version="1.0")
    response = inv.client.post(
        inv.url(f"/systems/{system['id']}/classification"),
        json={"answers": answers(ANSWERS / "german_credit_provider.yaml")},
    )
    assert response.status_code == 201, response.text
    assert inv.client.post(inv.url("/evidence"), json=fairness_evidence(version["id"])).is_success
    attached = inv.attach(
        "ai_system", system["id"], b"%PDF-1.7 AI policy", kind="document.ai_policy"
    )
    assert attached.status_code == 201, attached.text
    return {"inv": inv, "system": system}


def _get(system: dict[str, Any], path: str, **params: Any) -> Any:
    inv: Inventory = system["inv"]
    return inv.client.get(inv.url(f"/systems/{system['system']['id']}{path}"), params=params)


def test_html_report_is_self_contained_escaped_and_complete(system: dict[str, Any]) -> None:
    response = _get(system, "/report", format="html")
    assert response.status_code == 200, response.text
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    page = response.text
    for section in (
        "EU AI Act classification",
        "Risks",
        "Compliance summary",
        "Appendix: evidence",
    ):
        assert section in page
    assert "<script" not in page
    assert "&lt;script&gt;" in page
    assert "assessment.fairness" in page
    assert "ISO/IEC 42001" in page or "iso_42001" in page
    assert "http://" not in page
    assert "https://" not in page.replace("https://eur-lex", "")


def test_pdf_report_is_a_pdf(system: dict[str, Any]) -> None:
    response = _get(system, "/report", format="pdf")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert response.content.rstrip().endswith(b"%%EOF")
    assert response.content.count(b"/Type /Page\n") + response.content.count(b"/Type /Page>") > 3


def _pack(system: dict[str, Any], tmp_path: Path) -> Path:
    response = _get(system, "/evidence-pack")
    assert response.status_code == 200, response.text
    assert response.headers["x-content-sha256"] == hashlib.sha256(response.content).hexdigest()
    path = tmp_path / "pack.zip"
    path.write_bytes(response.content)
    return path


def _key(system: dict[str, Any]) -> str:
    return app_runtime(system["inv"].client).signer.verifier().key()


def test_the_evidence_pack_verifies_offline(system: dict[str, Any], tmp_path: Path) -> None:
    path = _pack(system, tmp_path)
    result = verify_pack(path, key=_key(system))
    assert result.ok, result.problems
    # The classification, the fairness assessment and the register gate's decision.
    assert result.evidence == 3
    assert result.documents == 1
    assert result.key_from_pack is False
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        manifest = json.loads(archive.read(MANIFEST))
    assert "ledger/checkpoint.txt" in names
    assert "report.html" in names
    assert manifest["system"]["id"] == system["system"]["id"]
    inv: Inventory = system["inv"]
    exports = inv.client.get(inv.url("/audit/entries"), params={"action": "evidence_pack.export"})
    assert exports.json()["items"][0]["seq"] == manifest["export_seq"]


def _rewrite(path: Path, change: Any, *, fix_manifest: bool) -> Path:
    """A copy of the pack with ``change(files)`` applied, its manifest updated or not."""
    with zipfile.ZipFile(path) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    change(files)
    if fix_manifest:
        manifest = json.loads(files[MANIFEST])
        manifest["files"] = [
            {"path": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
            for name, data in files.items()
            if name != MANIFEST
        ]
        files[MANIFEST] = json.dumps(manifest).encode()
    out = path.with_name("changed.zip")
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out


def _evidence_file(files: dict[str, bytes], kind: str) -> str:
    return next(name for name in files if name.startswith(f"evidence/{kind}/"))


def _soften_verdict(files: dict[str, bytes]) -> None:
    name = _evidence_file(files, "assessment.fairness")
    document = json.loads(files[name])
    document["verdict"] = "pass" if document["verdict"] != "pass" else "warn"
    files[name] = json.dumps(document).encode()


def _drop_fairness(files: dict[str, bytes]) -> None:
    del files[_evidence_file(files, "assessment.fairness")]


def _swap_document(files: dict[str, bytes]) -> None:
    name = next(name for name in files if name.startswith("documents/"))
    files[name] = b"%PDF-1.7 a different policy"


@pytest.mark.parametrize(
    ("change", "fix_manifest", "expected"),
    [
        (_soften_verdict, False, "SHA-256 differs from the manifest"),
        (_soften_verdict, True, "content differs from what the ledger recorded"),
        (_drop_fairness, True, "differ from those the export recorded"),
        (_swap_document, True, "content differs from what was uploaded"),
    ],
)
def test_a_changed_pack_does_not_verify(
    system: dict[str, Any], tmp_path: Path, change: Any, fix_manifest: bool, expected: str
) -> None:
    changed = _rewrite(_pack(system, tmp_path), change, fix_manifest=fix_manifest)
    result = verify_pack(changed, key=_key(system))
    assert not result.ok
    assert any(expected in problem for problem in result.problems), result.problems


def test_a_pack_signed_by_another_key_does_not_verify(
    system: dict[str, Any], tmp_path: Path
) -> None:
    other = NoteSigner.generate(app_runtime(system["inv"].client).signer.name).verifier().key()
    result = verify_pack(_pack(system, tmp_path), key=other)
    assert not result.ok
    assert any("does not verify with the key" in p for p in result.problems)


def test_without_a_key_the_pack_key_is_used_and_said(
    system: dict[str, Any], tmp_path: Path
) -> None:
    result = verify_pack(_pack(system, tmp_path))
    assert result.ok
    assert result.key_from_pack


def test_not_a_pack(tmp_path: Path) -> None:
    (tmp_path / "x.zip").write_bytes(b"not a zip")
    with pytest.raises(PackError, match="not a readable zip"):
        verify_pack(tmp_path / "x.zip")
    with zipfile.ZipFile(tmp_path / "y.zip", "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(PackError, match=r"no manifest\.json"):
        verify_pack(tmp_path / "y.zip")


def test_exporting_needs_the_evidence_export_permission(
    system: dict[str, Any], principals: Any
) -> None:
    inv: Inventory = system["inv"]
    path = inv.url(f"/systems/{system['system']['id']}/evidence-pack")
    viewer = principals("viewer", inv.slug)
    assert inv.client.get(path, headers=viewer.headers).status_code == 403
    auditor = principals("auditor", inv.slug)
    assert inv.client.get(path, headers=auditor.headers).status_code == 200
