"""`cexpert clients ...` and `cexpert db upgrade`, run as a trainer would."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET

LATER = """\
[client]
name = "Kim Knees"
age = 29
[assessment]
ohsa = ["heels_rise"]
[fms]
deep_squat = 3
hurdle_step = { left = 2, right = 2 }
shoulder_mobility = { left = 3, right = 3 }
"""


def imported(run, case_file, *files) -> None:
    for name, text, date in files:
        code, _, err = run("clients", "import", str(case_file(name, text, date)))
        assert code == 0, err


def two_visits(run, case_file, case_text) -> None:
    imported(run, case_file, ("first.toml", case_text, "2026-01-10"),
             ("later.toml", LATER, "2026-03-10"))


def test_an_empty_database_lists_no_clients(run):
    code, out, _ = run("clients", "list")
    assert (code, out.startswith("no clients")) == (0, True)


def test_importing_a_case_file_makes_a_client_with_a_visit(run, case_file):
    code, out, _ = run("clients", "import", str(case_file("kim.toml", date="2026-01-10")))
    assert code == 0 and "visit 1 (2026-01-10)" in out and "new client" in out


def test_a_case_file_of_a_known_client_becomes_a_new_visit_matched_by_name_and_age(
        run, case_file, case_text):
    imported(run, case_file, ("a.toml", case_text, "2026-01-10"))
    _, out, _ = run("clients", "import", str(case_file("b.toml", LATER, "2026-03-10")))
    assert "visit 2 (2026-03-10)" in out and "matched by name and age" in out


def test_a_case_file_carrying_the_client_id_is_matched_by_it(run, case_file, case_text):
    imported(run, case_file, ("a.toml", case_text, None))
    _, out, _ = run("clients", "list", "--format", "json")
    ident = json.loads(out)[0]["id"]
    renamed = LATER.replace('name = "Kim Knees"', f'id = "{ident}"\nname = "Kim K."')
    _, out, _ = run("clients", "import", str(case_file("b.toml", renamed)))
    assert "matched by id" in out


def test_a_case_file_without_a_date_is_dated_the_import_day(run, case_file):
    import datetime

    _, out, _ = run("clients", "import", str(case_file("kim.toml")), "--format", "json")
    assert json.loads(out)[0]["date"] == datetime.date.today().isoformat()


def test_a_folder_of_case_files_is_imported_whole(run, case_file, case_text):
    path = case_file("a.toml", case_text)
    case_file("b.toml", case_text.replace("Kim Knees", "Ann"))
    code, out, _ = run("clients", "import", str(path.parent))
    assert code == 0 and out.count("new client") == 2


def test_a_broken_case_file_is_reported_and_the_others_still_imported(run, case_file,
                                                                     case_text):
    good = case_file("a.toml", case_text)
    case_file("b.toml", '[assessment]\nohsa = ["knees_move_inwrd"]\n')
    code, out, err = run("clients", "import", str(good.parent))
    assert (code, out.count("new client")) == (2, 1) and "knees_move_inwrd" in err


def test_history_shows_each_visit_with_fms_and_findings(run, case_file, case_text):
    two_visits(run, case_file, case_text)
    _, out, _ = run("clients", "history", "Kim", "--format", "json")
    rows = json.loads(out)["visits"]
    assert [(r["date"], r["fms_total"], r["findings"]) for r in rows] == [
        ("2026-01-10", 6, 2), ("2026-03-10", 8, 1)]


def test_an_ambiguous_prefix_lists_the_matches_and_exits_2(run, case_file, case_text):
    imported(run, case_file, ("a.toml", case_text, None),
             ("b.toml", case_text.replace("Kim Knees", "Kim Other"), None))
    code, _, err = run("clients", "show", "Kim")
    assert code == 2 and "Kim Knees" in err and "Kim Other" in err


def test_an_unknown_client_exits_2_naming_what_was_typed(run):
    code, _, err = run("clients", "history", "Zed")
    assert code == 2 and "no client matches 'Zed'" in err


def test_compare_defaults_to_the_first_and_the_latest_visit(run, case_file, case_text):
    two_visits(run, case_file, case_text)
    _, out, _ = run("clients", "compare", "Kim", "--format", "json")
    data = json.loads(out)
    assert (data["before"]["visit"], data["after"]["visit"]) == (1, 2)


def test_compare_tells_resolved_new_and_persisting_findings(run, case_file, case_text):
    two_visits(run, case_file, case_text)
    _, out, _ = run("clients", "compare", "Kim", "--format", "json")
    findings = json.loads(out)["comparison"]["findings"]
    assert findings == {"resolved": ["ohsa: knees_move_inward"], "new": [],
                        "persisting": ["ohsa: heels_rise"]}


def test_compare_shows_fms_per_test_and_side_and_the_total(run, case_file, case_text):
    two_visits(run, case_file, case_text)
    _, out, _ = run("clients", "compare", "Kim", "--format", "json")
    c = json.loads(out)["comparison"]
    hurdle = [f for f in c["fms"] if f["test"] == "hurdle_step" and f["side"] == "right"]
    assert (hurdle[0]["before"], hurdle[0]["after"], c["fms_total"]) == (
        1, 2, {"before": 6, "after": 8})


def test_compare_lists_muscles_that_changed_state(run, case_file, case_text):
    two_visits(run, case_file, case_text)
    _, out, _ = run("clients", "compare", "Kim", "--format", "json")
    changed = {m["muscle"]: (m["before"], m["after"])
               for m in json.loads(out)["comparison"]["muscles"]}
    assert changed["adductor_complex"] == ("overactive", "none")


def test_compare_names_visits_by_date(run, case_file, case_text):
    two_visits(run, case_file, case_text)
    code, out, _ = run("clients", "compare", "Kim", "2026-03-10", "1", "--format", "json")
    assert (code, json.loads(out)["before"]["date"]) == (0, "2026-03-10")


def test_compare_with_one_visit_says_it_needs_two(run, case_file, case_text):
    imported(run, case_file, ("a.toml", case_text, None))
    code, _, err = run("clients", "compare", "Kim")
    assert code == 2 and "needs two consulted visits" in err


def test_rerun_shows_what_todays_rules_change_in_an_old_visit(run, case_file, case_text,
                                                             kb_dir):
    two_visits(run, case_file, case_text)
    rules = kb_dir / "10_rules.cex"
    rules.write_text(rules.read_text() + "heels rise → underactive glute max\n")
    _, out, _ = run("clients", "compare", "Kim", "--rerun", "--format", "json")
    today = json.loads(out)["today"]
    assert today["2"]["muscles"] == [{"muscle": "gluteus_maximus", "name": "Gluteus maximus",
                                      "before": "none", "after": "underactive"}]


def test_rerun_of_a_visit_the_new_rule_does_not_touch_shows_no_muscle_change(
        run, case_file, case_text, kb_dir):
    two_visits(run, case_file, case_text)
    rules = kb_dir / "10_rules.cex"
    rules.write_text(rules.read_text() + "heels rise → underactive glute max\n")
    _, out, _ = run("clients", "compare", "Kim", "--rerun", "--format", "json")
    first = json.loads(out)["today"]["1"]  # knee valgus had glute max underactive already
    assert first["muscles"] == []
    assert first["knowledge_base"]["before"] != first["knowledge_base"]["after"]


def test_export_writes_the_whole_record_as_json(run, case_file, case_text):
    two_visits(run, case_file, case_text)
    code, out, _ = run("clients", "export", "Kim")
    record = json.loads(out)
    assert (code, record["format"], len(record["visits"])) == (0, "cexpert-client-record", 2)


def test_an_exported_record_imports_into_another_database_unchanged(run, case_file,
                                                                   case_text, tmp_path,
                                                                   capsys):
    from cexpert.cli.main import main

    two_visits(run, case_file, case_text)
    run("clients", "export", "Kim", "-o", str(tmp_path / "kim.json"))
    other = str(tmp_path / "other.db")
    assert main(["clients", "import", str(tmp_path / "kim.json"), "--db", other]) == 0
    capsys.readouterr()
    main(["clients", "export", "Kim", "--db", other])
    assert capsys.readouterr().out == (tmp_path / "kim.json").read_text()


def test_visits_exported_as_toml_import_back_as_visits_of_the_same_client(
        run, case_file, case_text, tmp_path):
    two_visits(run, case_file, case_text)
    run("clients", "export", "Kim", "-o", str(tmp_path / "kim.json"),
        "--visits-as-toml", str(tmp_path / "visits"))
    _, out, _ = run("clients", "import", str(tmp_path / "visits"))
    assert out.count("matched by id") == 2


def test_the_progress_report_is_standalone_html_with_an_svg_chart(run, case_file,
                                                                  case_text, tmp_path):
    two_visits(run, case_file, case_text)
    code, out, _ = run("clients", "report", "Kim")
    svg = out[out.index("<svg"): out.index("</svg>") + 6]
    ET.fromstring(svg)  # well-formed
    assert code == 0 and "http" not in out.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_the_chart_breaks_the_fms_line_at_a_visit_without_a_complete_fms(
        run, case_file, case_text):
    partial = case_text.split("[fms]")[0] + "[fms]\ndeep_squat = 2\n"
    imported(run, case_file, ("a.toml", case_text, "2026-01-01"),
             ("b.toml", partial, "2026-02-01"), ("c.toml", LATER, "2026-03-01"))
    _, out, _ = run("clients", "report", "Kim")
    assert out.count('class="fms"') == 2  # two line segments, not one through 0


def test_db_upgrade_brings_a_new_database_to_head(run):
    code, out, _ = run("db", "upgrade")
    assert (code, out.split(": ", 1)[1]) == (0, "upgraded from empty to 0004\n")


def test_importing_the_cli_does_not_import_sqlalchemy():
    code = "import sys, cexpert.cli; print('sqlalchemy' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "False"


def test_a_new_visit_is_compared_with_the_clients_stored_visits(run, case_file, case_text,
                                                               kb_dir, db_path):
    (kb_dir / "20_visits.cex").write_text(
        'source "s"\nrule gone when resolved any then note "resolved: {finding}"\n'
        'rule still when persists any then note "still: {finding}"\n'
        'rule counted when visits >= 2 then note "visit two or later"\n'
        "rule worse when persists heels rise then overactive tfl\n")
    two_visits(run, case_file, case_text)  # knee valgus and heels rise, then heels rise
    _, out, _ = run("clients", "show", "Kim", "--format", "json")
    ident = json.loads(out)["client"]["id"]
    from cexpert.store.database import open_store

    with open_store(str(db_path)) as store:
        first, second = (store.visit(ident, n).result.as_json() for n in (1, 2))
    assert first["notes"] == []  # a first visit has nothing to compare with
    assert second["notes"] == ["resolved: knees move inward", "still: heels rise",
                               "visit two or later"]
    assert "tfl" in {m["id"] for m in second["muscles"]}
    _, out, _ = run("clients", "compare", "Kim", "--rerun")
    assert "visit 2: stored result → today's rules (no change)" in out  # compared as then


def test_a_note_is_added_to_a_visit_named_by_number_or_date(run, case_file, case_text):
    two_visits(run, case_file, case_text)
    code, out, _ = run("clients", "note", "Kim", "2026-03-10", "Knees better; keep the band",
                       "--author", "alice", "--format", "json")
    assert code == 0 and json.loads(out)["visit"] == 2
    run("clients", "note", "Kim", "1", "First look")
    _, out, _ = run("clients", "show", "Kim")
    assert "note on visit 1 (2026-01-10): First look" in out
    assert "note on visit 2 (2026-03-10): Knees better; keep the band (alice)" in out
    code, _, err = run("clients", "note", "Kim", "7", "x")
    assert code == 2 and "no visit '7'" in err


def test_a_clearance_is_recorded_with_who_when_and_scope(run, case_file, case_text):
    imported(run, case_file, ("a.toml", case_text, "2026-01-10"))
    code, out, _ = run("clients", "clearance", "Kim", "low back pain", "--by",
                       "Dr Ruiz (physical therapist)", "--date", "2026-01-08", "--scope",
                       "corrective exercise, no loaded flexion")
    assert code == 0 and "clearance recorded" in out
    _, out, _ = run("clients", "show", "Kim", "--format", "json")
    assert json.loads(out)["clearances"][0]["by_whom"] == "Dr Ruiz (physical therapist)"
    code, _, err = run("clients", "clearance", "Kim", "x", "--by", "y", "--date", "08/01/26")
    assert code == 2 and "--date must be a date" in err
