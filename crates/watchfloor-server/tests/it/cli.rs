//! The binary's other subcommands: `scenario check` and `token`.

use std::process::Command;

fn run(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_watchfloor-server"))
        .args(args)
        .output()
        .expect("the binary runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn scenario_check_names_every_problem_with_its_entry_and_field() {
    let dir = tempfile::tempdir().expect("dir");
    let broken = dir.path().join("broken.json");
    std::fs::write(
        &broken,
        r#"{"name": "Broken", "duration": "2d", "entries": [
            {"at": "0s", "type": "nation_joined", "code": "EST", "name": "Estonia", "kind": "ally"},
            {"at": "1h", "type": "nation_status", "code": "EST", "status": "asleep"},
            {"at": "2h", "type": "incident_opened", "id": "A", "title": "t", "category": "ddos"}
        ]}"#,
    )
    .expect("write");
    let (code, stdout, _) = run(&["scenario", "check", broken.to_str().expect("path")]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("entry 1: status:"), "{stdout}");
    assert!(stdout.contains("entry 2: severity:"), "{stdout}");
    assert!(stdout.contains("2 problem(s)"), "{stdout}");

    let impossible = dir.path().join("impossible.json");
    std::fs::write(
        &impossible,
        r#"{"name": "Impossible", "duration": "1d", "entries": [
            {"at": "1h", "type": "incident_updated", "id": "NOPE", "status": "resolved"},
            {"at": "3d", "type": "phase_changed", "phase": "endex"}
        ]}"#,
    )
    .expect("write");
    let (code, stdout, _) = run(&["scenario", "check", impossible.to_str().expect("path")]);
    assert_eq!(code, 1);
    assert!(stdout.contains("entry 1: at:"), "{stdout}");

    let good = dir.path().join("good.json");
    std::fs::write(
        &good,
        r#"{"name": "Good", "duration": "1d", "start_at": "2h", "entries": [
            {"at": "0s", "type": "nation_joined", "code": "EST", "name": "Estonia", "kind": "ally"}
        ]}"#,
    )
    .expect("write");
    let (code, stdout, _) = run(&["scenario", "check", good.to_str().expect("path")]);
    assert_eq!(code, 0, "{stdout}");
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.contains("ok"), "{stdout}");
}

#[test]
fn tokens_are_created_listed_and_revoked_from_the_command_line() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().to_str().expect("path");
    let (code, stdout, stderr) = run(&[
        "token",
        "create",
        "--role",
        "control",
        "--name",
        "white cell",
        "--data-dir",
        data,
    ]);
    assert_eq!(code, 0, "{stderr}");
    let token = stdout.trim();
    assert!(
        token.starts_with("wf_") && token.len() == 67,
        "the token alone on stdout: {stdout:?}"
    );
    assert!(stderr.contains("shown only now"), "{stderr}");
    let database = std::fs::read(dir.path().join("watchfloor.db")).expect("db");
    let wal = std::fs::read(dir.path().join("watchfloor.db-wal")).unwrap_or_default();
    let needle = token.as_bytes();
    for bytes in [&database, &wal] {
        assert!(
            !bytes.windows(needle.len()).any(|window| window == needle),
            "only a hash is stored"
        );
    }
    let (_, listed, _) = run(&["token", "list", "--data-dir", data]);
    assert!(
        listed.contains("control") && listed.contains("white cell") && !listed.contains(token),
        "{listed}"
    );
    let (code, stdout, _) = run(&["token", "revoke", "1", "--data-dir", data]);
    assert_eq!(code, 0, "{stdout}");
    let (_, listed, _) = run(&["token", "list", "--data-dir", data]);
    assert!(
        !listed.lines().nth(1).expect("a row").contains("  -  "),
        "revoked time shown: {listed}"
    );
    let (code, _, stderr) = run(&["token", "revoke", "7", "--data-dir", data]);
    assert_eq!(code, 1);
    assert!(stderr.contains("no token with id 7"), "{stderr}");
    let (code, _, stderr) = run(&[
        "token",
        "create",
        "--role",
        "admin",
        "--name",
        "x",
        "--data-dir",
        data,
    ]);
    assert_ne!(code, 0);
    assert!(stderr.contains("commander, control or display"), "{stderr}");
}
