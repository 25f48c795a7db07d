//! `store backup` and `store restore`: a consistent copy of a running
//! SQLite store, taken by the real binary while events are being posted,
//! and brought back into a server.

use std::process::Command;

use serde_json::{json, Value};

use crate::support::{exercise, on_postgres, TestServer};

/// The binary with these arguments: its exit code, stdout and stderr.
async fn run(args: Vec<std::ffi::OsString>) -> (i32, String, String) {
    tokio::task::spawn_blocking(move || {
        let output = Command::new(env!("CARGO_BIN_EXE_watchfloor-server"))
            .args(&args)
            .output()
            .expect("the binary runs");
        (
            output.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    })
    .await
    .expect("ran")
}

fn args(parts: &[&dyn AsRef<std::ffi::OsStr>]) -> Vec<std::ffi::OsString> {
    parts.iter().map(|part| part.as_ref().to_owned()).collect()
}

/// Every event control reads back, in order.
async fn log(server: &TestServer) -> Vec<Value> {
    let mut events = Vec::new();
    let mut after = 0;
    loop {
        let page = server
            .get(&format!("/api/v1/events?after={after}&limit=500"))
            .by(server.control())
            .send()
            .await
            .json();
        let batch = page["events"].as_array().expect("events").clone();
        let Some(last) = batch.last() else {
            return events;
        };
        after = last["seq"].as_u64().expect("seq");
        events.extend(batch);
    }
}

#[tokio::test]
async fn a_backup_taken_under_a_stream_of_writes_is_a_whole_prefix_of_the_log_and_restores() {
    // SQLite's backup; PostgreSQL has its own tools (docs/deploy.md).
    if on_postgres() {
        return;
    }
    let server = TestServer::start().await;
    server.append(exercise()).await;
    let before = server.seq().await;
    // A stream of writes, each waited for, while the backup runs beside it.
    let writing = async {
        for n in 0..150 {
            let status = ["degraded", "online"][n % 2];
            server
                .append(json!([
                    {"type": "nation_status", "code": "EST", "status": status},
                    {"type": "nation_status", "code": "FIN", "status": status},
                ]))
                .await;
        }
    };
    let copy = server.dir.path().join("copy.db");
    let backing_up = async {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        run(args(&[
            &"store",
            &"backup",
            &copy,
            &"--data-dir",
            &server.dir.path(),
        ]))
        .await
    };
    let ((), (code, stdout, stderr)) = tokio::join!(writing, backing_up);
    assert_eq!(code, 0, "{stderr}");
    let head = server.seq().await;
    let copied: u64 = stdout
        .trim()
        .rsplit(' ')
        .next()
        .and_then(|seq| seq.parse().ok())
        .unwrap_or_else(|| panic!("the last seq on stdout: {stdout:?}"));
    assert!(
        before <= copied && copied <= head,
        "{before} <= {copied} <= {head}"
    );
    eprintln!("backup: {before} <= {copied} <= {head}");
    // A group is never split: the batches are two events, after an odd head.
    assert_eq!((copied - before) % 2, 0, "a batch was torn: {copied}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&copy).expect("copy").permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the copy holds restricted events");
    }
    // Never over an existing file.
    let (code, _, stderr) = run(args(&[
        &"store",
        &"backup",
        &copy,
        &"--data-dir",
        &server.dir.path(),
    ]))
    .await;
    assert_ne!(code, 0);
    assert!(stderr.contains("already there"), "{stderr}");
    // Not into a data dir a server is running on.
    let (code, _, stderr) = run(args(&[
        &"store",
        &"restore",
        &copy,
        &"--replace",
        &"--data-dir",
        &server.dir.path(),
    ]))
    .await;
    assert_ne!(code, 0);
    assert!(stderr.contains("is serving it"), "{stderr}");

    let original = log(&server).await;
    let restored_dir = tempfile::tempdir().expect("dir");
    let (code, stdout, stderr) = run(args(&[
        &"store",
        &"restore",
        &copy,
        &"--data-dir",
        &restored_dir.path(),
    ]))
    .await;
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains(&format!("seq {copied}")), "{stdout}");
    let restored = TestServer::on(restored_dir, |_| {}).await;
    let restored_log = log(&restored).await;
    assert_eq!(restored_log.len() as u64, copied);
    assert_eq!(
        restored_log[..],
        original[..copied as usize],
        "a prefix, byte for byte"
    );

    // Over a store with events only when asked, keeping the old files.
    let dir = restored.stop().await;
    let (code, _, stderr) = run(args(&[
        &"store",
        &"restore",
        &copy,
        &"--data-dir",
        &dir.path(),
    ]))
    .await;
    assert_ne!(code, 0);
    assert!(stderr.contains("--replace"), "{stderr}");
    let (code, _, stderr) = run(args(&[
        &"store",
        &"restore",
        &copy,
        &"--replace",
        &"--data-dir",
        &dir.path(),
    ]))
    .await;
    assert_eq!(code, 0, "{stderr}");
    let kept = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter_map(|entry| entry.ok())
        .any(|entry| {
            entry
                .file_name()
                .to_string_lossy()
                .starts_with("watchfloor.db.replaced-")
        });
    assert!(kept, "the replaced store is kept beside it");
}

#[tokio::test]
async fn a_file_that_is_not_a_watchfloor_store_is_not_restored() {
    let dir = tempfile::tempdir().expect("dir");
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"not a database at all, just bytes").expect("write");
    let data = dir.path().join("data");
    let (code, _, stderr) = run(args(&[&"store", &"restore", &junk, &"--data-dir", &data])).await;
    assert_ne!(code, 0);
    assert!(stderr.contains("not a Watchfloor store"), "{stderr}");
    assert!(
        !data.join("watchfloor.db").exists(),
        "nothing is put in place"
    );
}
