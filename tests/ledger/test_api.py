"""The ledger through the HTTP API, the SDK and the ``bastion audit`` commands, against a
real server: entries for every action, proofs that verify against signed checkpoints,
exports that verify offline and fail, naming the entry, once tampered with."""

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner, Result

from bastion import Client, merkle
from bastion.checkpoint import Checkpoint, NoteVerifier
from bastion.cli.main import app
from bastion.ledger.entry import entry_leaf_hash
from tests.conftest import LiveServer


@pytest.fixture
def sdk(live_server: LiveServer) -> Iterator[Client]:
    with Client(live_server.url, live_server.admin_key) as client:
        yield client


@pytest.fixture
def activity(sdk: Client) -> dict[str, str]:
    """A little history: a project, a system and an update in it, a second project."""
    project = sdk.create_project(name="Credit")
    system = sdk.create_system(project.slug, name="scoring")
    sdk.update_system(project.slug, system.id, owner="risk team")
    other = sdk.create_project(name="Other")
    sdk.create_system(other.slug, name="elsewhere")
    return {"project": project.slug, "project_id": str(project.id), "system": str(system.id)}


def _cli(live_server: LiveServer, *args: str, **env: str) -> Result:
    base = {"BASTION_URL": live_server.url, "BASTION_API_KEY": live_server.admin_key}
    return CliRunner().invoke(app, list(args), env={**base, **env})


def test_every_action_is_an_entry(sdk: Client, activity: dict[str, str]) -> None:
    everything = list(sdk.audit.iter_entries(limit=2))
    assert [e.seq for e in everything] == list(range(len(everything)))
    inventory = {"project.create", "ai_system.create", "ai_system.update"}
    entries = [e for e in everything if e.action in inventory]
    actions = [e.action for e in entries]
    assert actions == [
        "project.create",
        "ai_system.create",
        "ai_system.update",
        "project.create",
        "ai_system.create",
    ]
    update = entries[2]
    assert update.resource_id == activity["system"]
    assert str(update.project_id) == activity["project_id"]
    assert update.details == {"fields": ["owner"]}  # the value itself is not recorded
    assert update.actor_id
    assert update.request_id
    assert update.client_addr == "127.0.0.1"
    assert update.credential is not None
    assert update.credential.startswith("api_key:")
    assert "bst_" not in update.credential  # the key's id, never the key


def test_request_id_links_response_and_entry(
    live_server: LiveServer, activity: dict[str, str]
) -> None:
    headers = {"Authorization": f"Bearer {live_server.admin_key}", "X-Request-ID": "trace-42"}
    url = f"{live_server.url}/api/v1/projects/{activity['project']}/systems"
    assert httpx.post(url, json={"name": "traced"}, headers=headers).status_code == 201
    with Client(live_server.url, live_server.admin_key) as client:
        entries = client.audit.entries(action="ai_system.create").items
    assert entries[-1].request_id == "trace-42"


def test_project_sees_only_its_own_entries(sdk: Client, activity: dict[str, str]) -> None:
    own = sdk.audit.entries(project=activity["project"]).items
    assert {str(e.project_id) for e in own} == {activity["project_id"]}
    foreign = next(
        e
        for e in sdk.audit.iter_entries()
        if e.resource_type == "ai_system" and str(e.project_id) != activity["project_id"]
    )
    sdk.audit.sign_checkpoint()
    from bastion.sdk.errors import NotFoundError

    with pytest.raises(NotFoundError):
        sdk.audit.inclusion_proof(foreign.seq, project=activity["project"])


def test_inclusion_proofs_verify_against_the_signed_checkpoint(
    sdk: Client, activity: dict[str, str]
) -> None:
    checkpoint = sdk.audit.sign_checkpoint()
    verifier = NoteVerifier.from_key(sdk.audit.verifier_key().key)
    signed = Checkpoint.open(checkpoint.note, [verifier])
    for entry in sdk.audit.iter_entries():
        if entry.seq >= signed.size:
            continue
        proof = sdk.audit.prove_entry(entry.seq, verifier)
        assert proof.root_hash == signed.root_hash.hex()
        document = entry.model_dump(mode="json")
        document["recorded_at"] = entry.recorded_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        assert entry_leaf_hash(document).hex() == entry.leaf_hash
    with pytest.raises(merkle.ProofError):
        merkle.verify_inclusion(
            bytes.fromhex(proof.leaf_hash), proof.seq, proof.tree_size, [], signed.root_hash
        )


def test_checkpoints_are_consistent(sdk: Client, activity: dict[str, str]) -> None:
    first = sdk.audit.sign_checkpoint()
    sdk.create_system(activity["project"], name="later")
    second = sdk.audit.sign_checkpoint()
    assert second.size > first.size
    assert sdk.audit.sign_checkpoint().size == second.size  # nothing new, nothing re-signed
    verifier = NoteVerifier.from_key(sdk.audit.verifier_key().key)
    sdk.audit.prove_consistency(first, second, verifier)


def test_export_verifies_offline_and_names_a_tampered_entry(
    live_server: LiveServer, sdk: Client, activity: dict[str, str], tmp_path: Path
) -> None:
    sdk.audit.sign_checkpoint()
    key_file = tmp_path / "ledger.vkey"
    key_result = _cli(live_server, "audit", "key")
    assert key_result.exit_code == 0, key_result.output
    key_file.write_text(key_result.stdout)
    export = tmp_path / "ledger.jsonl"
    assert _cli(live_server, "audit", "export", "-o", str(export)).exit_code == 0

    # Offline: only the file and the key, no server settings at all.
    intact = CliRunner().invoke(
        app, ["audit", "verify", "--file", str(export), "--key-file", str(key_file), "--json"]
    )
    assert intact.exit_code == 0, intact.output
    report = json.loads(intact.stdout)
    assert report["intact"]
    assert report["entries"] >= 5
    assert report["checkpoints"] >= 1

    lines = export.read_text().splitlines()
    target = next(i for i, line in enumerate(lines) if '"ai_system.update"' in line)
    entry = json.loads(lines[target])
    entry["details"] = {"fields": ["purpose"]}
    lines[target] = json.dumps(entry)
    export.write_text("\n".join(lines) + "\n")
    tampered = CliRunner().invoke(
        app, ["audit", "verify", "--file", str(export), "--key-file", str(key_file)]
    )
    assert tampered.exit_code == 1
    assert f"entry {entry['seq']} was modified" in tampered.stderr


def test_export_records_itself_and_speaks_cef(
    sdk: Client, activity: dict[str, str], tmp_path: Path
) -> None:
    cef = sdk.audit.export(tmp_path / "ledger.cef", format="cef")
    lines = cef.read_text().splitlines()
    assert lines[0].startswith("CEF:0|Bastion|Bastion|")
    assert "cn1=0" in lines[0]
    assert any("act=project.create" in line for line in lines)
    assert sdk.audit.entries(action="ledger.export").items[-1].details == {
        "format": "cef",
        "filtered": False,
    }


def test_cli_verifies_the_server_and_the_local_database(
    live_server: LiveServer, activity: dict[str, str]
) -> None:
    remote = _cli(live_server, "audit", "verify")
    assert remote.exit_code == 0, remote.output
    assert "is intact" in remote.stdout
    settings = live_server.settings
    local = _cli(
        live_server,
        "audit",
        "verify",
        "--local",
        BASTION_DATA_DIR=str(settings.data_dir),
        BASTION_DATABASE_URL=settings.effective_database_url,
    )
    assert local.exit_code == 0, local.output
    proof = _cli(live_server, "audit", "proof", "1")
    assert proof.exit_code == 1 or "included" in proof.stdout  # no checkpoint → clear error
    _cli(live_server, "audit", "checkpoint")
    proof = _cli(live_server, "audit", "proof", "1")
    assert proof.exit_code == 0, proof.output
    assert "entry 1 is included" in proof.stdout
    consistency = _cli(live_server, "audit", "consistency")
    assert consistency.exit_code == 0, consistency.output


def test_filtered_export_is_not_mistaken_for_a_whole_ledger(
    sdk: Client, activity: dict[str, str], tmp_path: Path
) -> None:
    export = sdk.audit.export(tmp_path / "part.jsonl", project_id=activity["project_id"])
    result = CliRunner().invoke(app, ["audit", "verify", "--file", str(export)])
    assert result.exit_code == 1
    assert "filtered" in result.stderr


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/audit/entries/99999999999999999999",
        "/api/v1/audit/entries/-1/proof",
        "/api/v1/audit/consistency?first=1&second=99999999999999999999",
    ],
)
def test_out_of_range_numbers_are_422(live_server: LiveServer, path: str) -> None:
    # A generous timeout: the assertion is about the answer, and a loaded CI machine has
    # been seen to take longer than httpx's default 5 s to give it.
    response = httpx.get(
        live_server.url + path,
        headers={"Authorization": f"Bearer {live_server.admin_key}"},
        timeout=60,
    )
    assert response.status_code == 422, response.text
