"""Loading, digesting and compiling bundles, and what is refused (docs/policy.md,
"Bundles, versions and overrides")."""

import hashlib
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from bastion.policy import (
    MAX_BYTES,
    MAX_FILES,
    Bundle,
    CompiledBundle,
    PolicyError,
    builtin_bundle,
    compile_bundle,
    evaluate,
    load_bundle,
)
from bastion.policy.bundle import BUILTIN_DIR, scan_module
from tests.policy.bundles import GATE_HEADER, gate_bundle

DECISION = 'decision := {"allow": true, "reasons": [], "approvals": []}\n'


def write_bundle(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def zip_of(path: Path, entries: dict[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return path


# --- digests ---------------------------------------------------------------------------


def test_digest_is_the_sha256_of_a_sha256sum_manifest() -> None:
    files = {"b.rego": GATE_HEADER.format(gate="staging") + DECISION, "data.json": "{}"}
    manifest = "".join(
        f"{hashlib.sha256(files[p].encode()).hexdigest()}  {p}\n" for p in sorted(files)
    )
    bundle = Bundle.from_files("x", files)
    assert bundle.digest == hashlib.sha256(manifest.encode()).hexdigest()


def test_digest_changes_with_any_byte_and_with_nothing_else() -> None:
    files = {
        "a.rego": GATE_HEADER.format(gate="staging") + DECISION,
        "lib/b.rego": "package bastion.b\n",
    }
    digest = Bundle.from_files("one", files).digest
    assert Bundle.from_files("another name", dict(reversed(files.items()))).digest == digest
    changed = {**files, "lib/b.rego": "package bastion.b \n"}
    assert Bundle.from_files("one", changed).digest != digest
    renamed = {"a.rego": files["a.rego"], "lib/c.rego": files["lib/b.rego"]}
    assert Bundle.from_files("one", renamed).digest != digest


def test_builtin_bundle_digest_is_stable_across_loads() -> None:
    again = load_bundle(BUILTIN_DIR)
    assert again.digest == builtin_bundle().digest
    assert again.files == builtin_bundle().files
    assert builtin_bundle() is builtin_bundle()  # cached


# --- directories and zips --------------------------------------------------------------


def test_directory_is_read_recursively_ignoring_other_and_hidden_files(tmp_path: Path) -> None:
    root = write_bundle(
        tmp_path / "org-policy",
        {
            "gates/production.rego": GATE_HEADER.format(gate="production") + DECISION,
            "lib/util.rego": "package bastion.util\n\nx := 1\n",
            "data.json": '{"bastion": {"config": {"approvals": 2}}}',
            "README.md": "# our policies",
            ".git/objects.rego": "not rego at all",
        },
    )
    bundle = load_bundle(root)
    assert bundle.name == "org-policy"
    assert sorted(bundle.files) == ["data.json", "gates/production.rego", "lib/util.rego"]
    assert bundle.data == {"bastion": {"config": {"approvals": 2}}}
    assert set(bundle.modules) == {"gates/production.rego", "lib/util.rego"}


@pytest.mark.parametrize("top", ["", "org-policy/"])
def test_a_zip_has_the_digest_of_its_directory(tmp_path: Path, top: str) -> None:
    files = {
        "gates/production.rego": GATE_HEADER.format(gate="production") + DECISION,
        "data.json": "{}",
    }
    directory = load_bundle(write_bundle(tmp_path / "org-policy", files))
    zipped = load_bundle(
        zip_of(tmp_path / "org-policy.zip", {top + k: v for k, v in files.items()})
    )
    assert zipped.name == "org-policy"
    assert zipped.digest == directory.digest


@pytest.mark.parametrize(
    "entry",
    ["../evil.rego", "gates/../../evil.rego", "/etc/evil.rego", "C:/evil.rego", "a\\..\\evil.rego"],
)
def test_a_zip_entry_outside_the_bundle_is_refused(tmp_path: Path, entry: str) -> None:
    path = zip_of(
        tmp_path / "b.zip",
        {"gate.rego": GATE_HEADER.format(gate="x") + DECISION, entry: "package bastion.e\n"},
    )
    with pytest.raises(PolicyError, match="not a relative path inside the bundle"):
        load_bundle(path)


def test_a_zip_with_too_many_entries_is_refused(tmp_path: Path) -> None:
    entries: dict[str, str | bytes] = {
        f"m{i}.rego": f"package bastion.m{i}\n" for i in range(MAX_FILES + 1)
    }
    with pytest.raises(PolicyError, match=f"at most {MAX_FILES}"):
        load_bundle(zip_of(tmp_path / "many.zip", entries))


def test_a_zip_that_unpacks_too_large_is_refused(tmp_path: Path) -> None:
    big = "package bastion.big\n\n" + "# padding\n" * (MAX_BYTES // 10 + 1)
    path = zip_of(tmp_path / "big.zip", {"big.rego": big})
    assert path.stat().st_size < MAX_BYTES // 10  # small on disk, large unpacked
    with pytest.raises(PolicyError, match="unpacks to"):
        load_bundle(path)


def test_a_directory_too_large_is_refused(tmp_path: Path) -> None:
    write_bundle(
        tmp_path / "b", {"big.rego": "package bastion.big\n" + "#\n" * (MAX_BYTES // 2 + 1)}
    )
    with pytest.raises(PolicyError, match="more than"):
        load_bundle(tmp_path / "b")


def test_a_bundle_of_too_many_files_is_refused() -> None:
    files = {f"m{i}.rego": f"package bastion.m{i}\n" for i in range(MAX_FILES + 1)}
    with pytest.raises(PolicyError, match=f"at most {MAX_FILES} allowed"):
        Bundle.from_files("many", files)


def test_something_else_than_a_directory_or_zip_is_refused(tmp_path: Path) -> None:
    (tmp_path / "policy.rego").write_text("package bastion.x\n")
    with pytest.raises(PolicyError, match="neither a bundle directory nor a zip"):
        load_bundle(tmp_path / "policy.rego")
    zipped = zip_of(tmp_path / "empty.zip", {"README.md": "nothing"})
    with pytest.raises(PolicyError, match=r"no \.rego module"):
        load_bundle(zipped)


def test_a_module_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "latin1.rego").write_bytes("package bastion.x\n# é\n".encode("latin-1"))
    with pytest.raises(PolicyError, match=r"latin1\.rego: not UTF-8") as caught:
        load_bundle(tmp_path / "b")
    assert caught.value.field == "latin1.rego"


@pytest.mark.parametrize(
    ("text", "why"), [("[1, 2]", "must hold a JSON object"), ("{nope", "not valid JSON")]
)
def test_data_json_must_be_a_json_object(text: str, why: str) -> None:
    with pytest.raises(PolicyError, match=why) as caught:
        gate_bundle(DECISION, **{"data.json": text})
    assert caught.value.file == "data.json"


def test_only_a_root_data_json_is_read() -> None:
    with pytest.raises(PolicyError, match=r"only a data\.json at the bundle's root"):
        gate_bundle(DECISION, **{"config/data.json": "{}"})


def test_data_json_is_visible_to_the_policy(compile_gate: Callable[..., CompiledBundle]) -> None:
    compiled = compile_gate(
        'decision := {"allow": data.settings.open, "reasons": []}\n',
        **{"data.json": '{"settings": {"open": true}}'},
    )
    assert evaluate(compiled, "production", {}).allow is True


# --- compiling -------------------------------------------------------------------------


def test_a_syntax_error_names_the_file_line_and_message() -> None:
    lines = [GATE_HEADER.format(gate="production").rstrip("\n")] + ["# comment"] * 4
    lines += ["decision := {", '\t"allow": true,', "}", "", "x = := 2"]  # line 12
    bundle = Bundle.from_files("bad", {"policy.rego": "\n".join(lines) + "\n"})
    with pytest.raises(PolicyError) as caught:
        compile_bundle(bundle, isolate=False)
    error = caught.value
    assert str(error).startswith("policy.rego:12: Invalid assignment operator")
    assert (error.file, error.line, error.column) == ("policy.rego", 12, 3)
    assert error.message == "Invalid assignment operator"
    assert error.field == "policy.rego"
    assert error.status == 422  # an InvalidInput: the API answers 422


def test_error_lines_count_non_ascii_text_correctly() -> None:
    text = GATE_HEADER.format(gate="x") + '# Prüfung der Datenqualität 🙂\nmsg := "é"\ny = := 2\n'
    with pytest.raises(PolicyError, match=r"^nested/ü.rego:7: Invalid assignment operator"):
        compile_bundle(
            Bundle.from_files(
                "b", {"nested/ü.rego": text, "g.rego": GATE_HEADER.format(gate="x") + DECISION}
            ),
            isolate=False,
        )


def test_an_unclosed_brace_is_refused_with_its_line() -> None:
    bundle = gate_bundle('decision := {"allow": true\n')
    with pytest.raises(PolicyError, match=r"gate.rego:\d+: this is unclosed"):
        compile_bundle(bundle, isolate=False)


@pytest.mark.parametrize(
    ("source", "why"),
    [
        ("package policies.release\n\nallow := true\n", "outside bastion"),
        ("package bastion\n\nallow := true\n", "outside bastion"),
        ("allow := true\n", "no package declaration"),
        ('package bastion["weird"]\n', "not a dotted name"),
    ],
)
def test_a_module_outside_package_bastion_is_refused(source: str, why: str) -> None:
    bundle = gate_bundle(DECISION, **{"other.rego": source})
    with pytest.raises(PolicyError, match=why) as caught:
        compile_bundle(bundle, isolate=False)
    assert caught.value.file == "other.rego"


def test_a_bundle_without_any_gate_is_refused() -> None:
    bundle = Bundle.from_files(
        "no gates",
        {
            "lib.rego": "package bastion.lib\n\ndecision := 1\n",
            "gates.rego": "package bastion.gates.production\n\nallow := true\n",
        },
    )
    with pytest.raises(PolicyError, match="defines no gate"):
        compile_bundle(bundle, isolate=False)


def test_compiling_is_done_once_per_digest() -> None:
    bundle = gate_bundle(DECISION)
    first = compile_bundle(bundle, isolate=False)
    assert compile_bundle(Bundle.from_files("again", dict(bundle.files))) is first


def test_the_builtin_bundle_compiles_with_its_gates_in_contract_order() -> None:
    compiled = compile_bundle(builtin_bundle())
    assert compiled.gates == ("register", "staging", "production", "retired")
    assert compiled.digest == builtin_bundle().digest
    assert len(compiled.tests) > 40


def test_a_bundle_that_crashes_rego_cpp_is_refused_and_this_process_lives() -> None:
    # A conventional OPA test: rego-cpp 1.5 aborts the process building it.
    bundle = gate_bundle(
        'decision := {"allow": count(input.approvals) > 0, "reasons": []}\n\n'
        'test_allows if {\n\tdecision.allow with input as {"approvals": [1]}\n}\n'
    )
    with pytest.raises(PolicyError, match=r"rego-cpp crashed \(SIGABRT\).*with input as"):
        compile_bundle(bundle)


def test_the_probe_passes_a_sound_bundle(tmp_path: Path) -> None:
    bundle = gate_bundle(
        'decision := decide(input)\n\ndecide(doc) := {"allow": count(doc.approvals) > 0}\n\n'
        'test_allows if decide({"approvals": [1]}).allow\n'
    )
    compiled = compile_bundle(bundle)
    assert [t.name for t in compiled.tests] == ["test_allows"]


# --- reading rule heads ----------------------------------------------------------------


def test_scan_module_reads_the_package_and_rule_heads_only() -> None:
    source = """# package not.this
package bastion.gates.production

import rego.v1
import data.bastion.lib

default decision := {"allow": false}

decision := d if {
	d := {"allow": true, "note": "a } brace in a string { and decision := 2"}
	reasons := [r | some r in input.reasons]
}

msg := `raw {string` # test_not_a_rule
test_one if {
	x := 1
}
test_two := true
f(x) := y if { y := x } else := 0
"""
    module = scan_module("p.rego", source)
    assert module.package == "bastion.gates.production"
    assert module.rules == ("decision", "msg", "test_one", "test_two", "f")


def test_compiled_bundle_lists_its_tests_once_per_package() -> None:
    body = DECISION + "\ntest_a if true\n\ntest_a if false\n\ntest_b := true\n"
    compiled = compile_bundle(gate_bundle(body), isolate=False)
    assert [(t.package, t.name, t.file) for t in compiled.tests] == [
        ("bastion.gates.production", "test_a", "gate.rego"),
        ("bastion.gates.production", "test_b", "gate.rego"),
    ]


def test_zip_read_in_memory_is_refused_when_corrupt(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.rego", "package bastion.a\n")
    damaged = bytearray(buffer.getvalue())
    damaged[40:60] = b"\0" * 20  # inside the local file header and data
    path = tmp_path / "damaged.zip"
    path.write_bytes(bytes(damaged))
    with pytest.raises(PolicyError):
        load_bundle(path)


def test_refusing_a_bundle_prints_nothing(capfd: pytest.CaptureFixture[str]) -> None:
    # rego-cpp prints its errors on the process's stdout unless told not to.
    with pytest.raises(PolicyError):
        compile_bundle(gate_bundle("decision := := 1\n"), isolate=False)
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")


def test_a_bundle_that_segfaults_rego_cpp_is_refused() -> None:
    # A rule named like the import it reads makes rego-cpp 1.5 recurse until it crashes.
    bundle = gate_bundle(
        "import data.bastion.checks.risks\n\n"
        "risks := risks.reasons(input)\n\n"
        'decision := {"allow": count(risks) == 0}\n',
        **{"risks.rego": "package bastion.checks.risks\n\nreasons(doc) := {1 | doc.x}\n"},
    )
    with pytest.raises(PolicyError, match=r"rego-cpp crashed \(SIGSEGV\)"):
        compile_bundle(bundle)
